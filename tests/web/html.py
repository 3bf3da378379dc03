"""Read rendered pages the way an assistive technology would, with the standard library's HTML parser."""

from dataclasses import dataclass
from html.parser import HTMLParser

NOT_CONTROLS = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class Control:
    tag: str
    attrs: dict
    fieldset: dict | None  # the innermost enclosing fieldset ({"legend": bool}), if any


class Page(HTMLParser):
    """What the checks need from a page: its language, headings, links, ids, labels and form controls."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.html_lang: str | None = None
        self.h1_count = 0
        self.hrefs: list[str] = []
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[Control] = []
        self.error_ids: list[str] = []
        self.described_by: set[str] = set()
        self.fieldsets: list[dict] = []

    def handle_starttag(self, tag, attr_list):
        attrs = {name: value or "" for name, value in attr_list}
        if "id" in attrs:
            self.ids.append(attrs["id"])
        self.described_by.update(attrs.get("aria-describedby", "").split())
        if tag == "html":
            self.html_lang = attrs.get("lang")
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
        elif tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        elif tag == "fieldset":
            self.fieldsets.append({"legend": False})
        elif tag == "legend" and self.fieldsets:
            self.fieldsets[-1]["legend"] = True
        elif tag in ("input", "select", "textarea") and attrs.get("type", "text") not in NOT_CONTROLS:
            self.controls.append(Control(tag, attrs, self.fieldsets[-1] if self.fieldsets else None))
        if tag == "p" and "error-message" in attrs.get("class", "").split():
            self.error_ids.append(attrs.get("id"))

    def handle_endtag(self, tag):
        if tag == "fieldset" and self.fieldsets:
            self.fieldsets.pop()

    def unlabelled_controls(self) -> list[str]:
        """Return the names of form controls with neither a <label for> nor an enclosing fieldset legend."""
        return [
            control.attrs.get("name", control.tag)
            for control in self.controls
            if control.attrs.get("id") not in self.label_for and not (control.fieldset and control.fieldset["legend"])
        ]


def parse(response) -> Page:
    page = Page()
    page.feed(response.content.decode())
    page.close()
    return page


def assert_accessible(response) -> Page:
    """Assert the basics every page must have, and return the parsed page for more checks."""
    assert response.status_code == 200, response.status_code
    page = parse(response)
    assert page.html_lang in ("zh-Hans", "en"), page.html_lang
    assert "#main" in page.hrefs, "no skip link to #main"
    assert "main" in page.ids, "no element with id=main for the skip link"
    assert page.h1_count == 1, f"{page.h1_count} h1 elements"
    assert not page.unlabelled_controls(), f"controls without a label: {page.unlabelled_controls()}"
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    assert not duplicates, f"duplicate ids: {duplicates}"
    for error_id in page.error_ids:
        assert error_id, "an error message without an id cannot be announced with its field"
        assert error_id in page.described_by, f"no field is aria-describedby its error {error_id}"
    missing = page.described_by - set(page.ids)
    assert not missing, f"aria-describedby points at missing ids: {missing}"
    return page
