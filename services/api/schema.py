from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension


class SessionTokenScheme(OpenApiAuthenticationExtension):
    target_class = "services.api.authentication.SessionTokenAuthentication"
    name = "SessionToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Session-Token",
            "description": "The session token from allauth's app API login (/api/auth/app/v1/auth/login).",
        }


class StrictInputSerializerScheme(OpenApiSerializerExtension):
    """Say in the contract what StrictInputSerializer does: a body with a field it does not know is refused."""

    target_class = "services.api.serializers.StrictInputSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "additionalProperties": False}
