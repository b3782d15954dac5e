"""Field types and base schemas every service's API uses."""
from marshmallow import Schema, fields, validate

CANTONS = ("AG", "AI", "AR", "BE", "BL", "BS", "FR", "GE", "GL", "GR", "JU", "LU", "NE", "NW",
           "OW", "SG", "SH", "SO", "SZ", "TG", "TI", "UR", "VD", "VS", "ZG", "ZH")
SLUG = validate.Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$",
                       error="Use lower-case letters, digits and dashes only.")


class StrictBoolean(fields.Boolean):
    """true or false, not "yes", 1 or "on": a wrongly typed field is an error, not a guess."""
    truthy = {True}
    falsy = {False}


def text(max_length: int, required: bool = True, min_length: int | None = None, **kwargs) -> fields.String:
    minimum = 1 if required and min_length is None else min_length
    return fields.String(required=required, validate=validate.Length(min=minimum, max=max_length), **kwargs)


def identifier_list(max_items: int = 50, **kwargs) -> fields.List:
    return fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                       validate=validate.Length(max=max_items), **kwargs)


class ErrorSchema(Schema):
    code = fields.Integer()
    status = fields.String()
    message = fields.String()
    errors = fields.Dict()
