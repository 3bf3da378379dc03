from django.core.files.storage import storages


def private_storage():
    """Return the private storage (STORAGES["documents"]: local disk or S3-compatible) of the residents' documents
    and data exports: never under a public URL, read only through the portal's permission checks."""
    return storages["documents"]
