"""The application class: what `api.App` changes about Flask."""


def test_merged_slashes_redirect_to_a_path_not_to_the_request_host(client):
    # Plain Flask answers this redirect itself, with an absolute URL built from `Host`.
    response = client.get("/api//v2//version?x=1", headers={"Host": "evil.example"})
    assert response.status_code == 308
    assert response.headers["Location"] == "/api/v2/version?x=1"
    assert (response.content_type, response.text) == (
        "text/plain; charset=UTF-8", "Moved to /api/v2/version?x=1")


def test_other_routing_failures_are_answered_as_before(client):
    assert client.get("/api/v2/nothing").status_code == 404
    assert client.post("/api/v2/version").status_code == 405
