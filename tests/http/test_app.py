"""The application class: what `api.App` changes about Flask."""


def plain_view():
    return "plain"


async def coroutine_view():
    return "coroutine"


class Resource:
    def get(self):
        return "plain"

    async def post(self):
        return "coroutine"


def test_plain_functions_run_as_they_are(app):
    assert app.ensure_sync(plain_view) is plain_view
    method = Resource().get
    assert app.ensure_sync(method) == method


def test_coroutine_functions_are_still_run_to_completion(app, monkeypatch):
    monkeypatch.setattr(app, "async_to_sync", lambda func: ("run to completion", func))
    for _ in range(2):  # the verdict is remembered: the second answer must be the same
        assert app.ensure_sync(coroutine_view) == ("run to completion", coroutine_view)
        method = Resource().post
        assert app.ensure_sync(method) == ("run to completion", method)


def test_an_unhashable_callable_is_judged_as_flask_judges_it(app):
    class Unhashable:
        __hash__ = None

        def __call__(self):
            return "plain"

    view = Unhashable()
    assert app.ensure_sync(view) is view
