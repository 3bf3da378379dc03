"""The rows of a resident's list of applications (``selectors.application_summaries_for_resident``), the usual first
page's SQL compiled once per process."""

from django.db import connections
from django.db.models.fields.related_lookups import RelatedExact
from django.db.models.query import ValuesIterable

from services.common.statements import execute_kept


class SummaryRows(ValuesIterable):
    """``values()`` rows that, for a resident's list with no filter but its own (the app's usual first page), run SQL
    compiled once per process, page size and database with the resident's id in it (compiling it was about a sixth
    of an API list request's CPU), prepared on the database's session (``execute_kept``). Every other query (a
    filter, a cursor's position) is compiled as usual."""

    def __iter__(self):
        query = self.queryset.query
        lookup = query.where.children[0] if len(query.where.children) == 1 else None
        if type(lookup) is not RelatedExact or lookup.lhs.target.attname != "applicant_id" or not query.selected:
            return super().__iter__()  # more than the applicant: filtered, or past a cursor's position
        applicant_id = lookup.rhs
        connection = connections[self.queryset.db]
        key = (self.queryset.db, connection.vendor, query.order_by, query.low_mark, query.high_mark)
        compiled = _compiled_summaries.get(key)
        if compiled is None:
            compiler = query.get_compiler(self.queryset.db)
            sql, params = compiler.as_sql()
            if tuple(params) != (applicant_id,):
                return super().__iter__()
            select = [column[0] for column in compiler.select[: compiler.col_count]]
            compiled = _compiled_summaries.setdefault(key, (sql, list(query.selected), compiler.get_converters(select)))
        return _rows(connection, applicant_id, *compiled)


_compiled_summaries: dict[tuple, tuple[str, list[str], dict]] = {}


def _rows(connection, applicant_id, sql: str, names: list[str], converters: dict):
    with connection.cursor() as cursor:
        execute_kept(cursor, (sql, [applicant_id]))
        rows = cursor.fetchall()
    for row in rows:
        values = list(row)
        for position, (functions, expression) in converters.items():
            for function in functions:  # what the compiler's apply_converters() does
                values[position] = function(values[position], expression, connection)
        yield dict(zip(names, values, strict=True))
