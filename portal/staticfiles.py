"""The static files' storage outside DEBUG: WhiteNoise's compressed and hashed files, each file's address worked out
once per process. Django's asks its manifest again for every {% static %} and script of every page (about a
hundred calls each: some twenty on a page of the caseworkers' queue), and the manifest does not change while the
process runs (collectstatic writes it before the process starts)."""

from functools import lru_cache

from whitenoise.storage import CompressedManifestStaticFilesStorage

ADDRESSES_KEPT = 2048  # far more than the site's static files: a name the templates never ask for cannot crowd them out


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._address = lru_cache(maxsize=ADDRESSES_KEPT)(super().url)

    def url(self, name, force=False):
        # A missing file raises as before (an exception is not kept): the next request asks the manifest again.
        return super().url(name, force) if force else self._address(name)
