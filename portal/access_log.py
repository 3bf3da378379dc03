"""gunicorn's access log without query strings (Procfile: ``--logger-class portal.access_log.QuerylessAccessLog``).

A query string can hold personal data: the admin's search for a resident ID number or a name, a token in a link.
The access log keeps the method, the path and whether there was a query; the referrer loses its query too.
"""

from gunicorn.glogging import Logger


def _without_query(uri: str) -> str:
    path, has_query, _query = (uri or "").partition("?")
    return path + ("?…" if has_query else "")


class QuerylessAccessLog(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        uri = _without_query(environ.get("RAW_URI", ""))
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {uri} {environ.get('SERVER_PROTOCOL')}"
        atoms["q"] = ""
        atoms["f"] = _without_query(atoms["f"])
        return atoms
