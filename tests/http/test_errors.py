def test_unknown_route_is_plain_text_404(client):
    response = client.get("/api/v2/nothing")
    assert response.status_code == 404
    assert response.content_type == "text/plain; charset=UTF-8"


def test_wrong_method_is_plain_text_405(client):
    response = client.post("/api/v2/studies/NCT04325594")
    assert response.status_code == 405
    assert response.content_type == "text/plain; charset=UTF-8"
    assert "GET" in response.headers["Allow"]


def test_unexpected_failure_is_plain_text_500_not_a_trace(app, client, monkeypatch):
    def broken(*args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(app.extensions["store"], "get", broken)
    response = client.get("/api/v2/studies/NCT04325594")
    assert (response.status_code, response.text) == (500, "Internal server error")


def test_error_answers_may_be_read_from_any_origin_too(client):
    assert client.get("/api/v2/nothing").headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/v2/studies/XYZ").headers["Access-Control-Allow-Origin"] == "*"
