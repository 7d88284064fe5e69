//! Events_Query (extension): the client's recent events, newest first, with how their
//! delivery to each subscriber stands.

use crate::engine::{Ctx, Handler};
use crate::error::{ApiError, ApiResult};
use crate::flow::EVENT_NAMES;
use crate::model::EventFilter;
use async_trait::async_trait;
use patchbay_api::events::*;
use patchbay_api::ops::EventsQuery;
use patchbay_schema::DateTime;

const DEFAULT_LIMIT: i32 = 100;
const MAX_LIMIT: i32 = 1000;

fn date(ms: i64) -> Option<DateTime> {
    DateTime::from_unix(ms.div_euclid(1000))
}

#[async_trait]
impl Handler for EventsQuery {
    async fn handle(ctx: &Ctx, input: EventsQueryInput) -> ApiResult<EventsQueryOutput> {
        let limit = input.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid("Limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        let names = input.names.unwrap_or_default();
        for (i, n) in names.iter().enumerate() {
            if !EVENT_NAMES.contains(&n.as_str()) {
                return Err(ApiError::invalid(
                    &format!("Names/string[{}]", i + 1),
                    format!("{n:?} is not an event; events are {}", EVENT_NAMES.join(", ")),
                ));
            }
        }
        let filter = EventFilter {
            order_id: input.order_id,
            item_id: input.inventory_item_id,
            names,
            before_seq: input.before_sequence,
            undelivered: input.undelivered.unwrap_or(false),
            limit: limit as u32,
        };
        let events = ctx.db().events(&filter).await?;
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        let deliveries = ctx.db().deliveries_of(&seqs).await?;
        let events = events
            .into_iter()
            .map(|e| Event {
                event_id: e.id.clone(),
                sequence: e.seq,
                name: e.name.clone(),
                created_date: date(e.at_ms).unwrap_or_else(DateTime::now),
                order_id: e.order_id,
                inventory_item_id: e.item_id,
                data: e.data.to_string(),
                deliveries: deliveries
                    .iter()
                    .filter(|d| d.event_seq == e.seq)
                    .map(|d| EventDelivery {
                        url: d.subscriber.clone(),
                        attempts: d.attempts,
                        delivered: d.delivered_at_ms.is_some(),
                        delivered_date: d.delivered_at_ms.and_then(date),
                        next_attempt_date: if d.delivered_at_ms.is_none() { date(d.due_at_ms) } else { None },
                        last_error: d.last_error.clone(),
                    })
                    .collect(),
            })
            .collect();
        Ok(EventsQueryOutput { events })
    }
}
