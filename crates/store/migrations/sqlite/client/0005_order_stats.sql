-- OrderStats_Query counts orders by the day they were created and their status: this index
-- holds both, so the count reads the index alone, from the first day asked for on.
CREATE INDEX orders_created_status ON orders (created_at, status);
