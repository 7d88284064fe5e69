"""Sessions_Create / Sessions_Validate / Sessions_Destroy through zeep, over SOAP 1.1 and 1.2."""

from support import ACME_ADMIN, ACME_VIEWER, assert_refused, login


def test_sessions_create(svc):
    res = svc.Sessions_Create(Request={"Credentials": ACME_ADMIN})
    assert res.Header.Success is True
    assert res.Header.Impersonated is False
    assert res.Header.Error_Code is None
    assert isinstance(res.SessionKey, str) and len(res.SessionKey) >= 16
    assert res.SessionKey_Encoded
    # Two logins are two sessions.
    assert login(svc) != res.SessionKey


def test_sessions_create_bad_password_is_S2005(svc):
    res = svc.Sessions_Create(Request={"Credentials": {**ACME_ADMIN, "Password": "wrong"}})
    assert_refused(res, "S2005")
    assert res.SessionKey is None


def test_sessions_create_unknown_client_is_S2005(svc):
    res = svc.Sessions_Create(Request={"Credentials": {**ACME_ADMIN, "Client": "nosuchclient"}})
    assert_refused(res, "S2005")


def test_sessions_create_other_clients_password_is_S2005(svc):
    # globex's api user has a different password: credentials never cross clients.
    res = svc.Sessions_Create(
        Request={"Credentials": {"Username": "api", "Password": "another strong pass", "Client": "acme"}}
    )
    assert_refused(res, "S2005")


def test_sessions_validate(svc):
    key = login(svc, ACME_ADMIN)
    res = svc.Sessions_Validate(Request={"Session": {"SessionKey": key}})
    assert res.Header.Success is True, (res.Header.Error_Code, res.Header.Message)
    assert res.UserID == 1
    assert res.AgentID == 500
    assert res.AgentNumber == "A-500"

    viewer = svc.Sessions_Validate(Request={"Session": {"SessionKey": login(svc, ACME_VIEWER)}})
    assert viewer.Header.Success is True
    assert viewer.UserID == 2


def test_sessions_validate_unknown_key_is_S2004(svc):
    res = svc.Sessions_Validate(Request={"Session": {"SessionKey": "no-such-session-key-0123456789"}})
    assert_refused(res, "S2004")


def test_sessions_destroy_then_key_is_refused(svc):
    key = login(svc)
    other = login(svc)
    res = svc.Sessions_Destroy(Request={"Session": {"SessionKey": key}, "SessionKey": key})
    assert res.Header.Success is True, (res.Header.Error_Code, res.Header.Message)

    assert_refused(svc.Sessions_Validate(Request={"Session": {"SessionKey": key}}), "S2004")
    assert_refused(svc.Products_Query(Request={"Session": {"SessionKey": key}, "ProductID": 100}), "S2004")
    # Only that session ended.
    assert svc.Sessions_Validate(Request={"Session": {"SessionKey": other}}).Header.Success is True


def test_sessions_destroy_defaults_to_own_session(svc):
    key = login(svc)
    res = svc.Sessions_Destroy(Request={"Session": {"SessionKey": key}})
    assert res.Header.Success is True, (res.Header.Error_Code, res.Header.Message)
    assert_refused(svc.Sessions_Validate(Request={"Session": {"SessionKey": key}}), "S2004")
