"""What the surveys JSON API accepts and answers."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.http.schemas import SLUG, StrictBoolean, text

from surveys.domain.questions import LANGUAGES, MAX_OPTIONS, MAX_QUESTIONS, TYPES

QUESTION_KEY = validate.Regexp(r"^[a-z][a-z0-9_]{0,59}$",
                               error="Use lower-case letters, digits and underscores, starting with a letter.")
OPTION_VALUE = validate.Regexp(r"^[a-z0-9_]{1,60}$", error="Use lower-case letters, digits and underscores only.")
FORMATS = ("json", "csv", "xlsx")


class LabelsSchema(Schema):
    """A text in French (required), German and English."""
    fr = text(500)
    de = text(500, required=False)
    en = text(500, required=False)


class LongLabelsSchema(LabelsSchema):
    fr = text(3000, required=False, min_length=0)
    de = text(3000, required=False, min_length=0)
    en = text(3000, required=False, min_length=0)


class OptionSchema(Schema):
    value = fields.String(required=True, validate=OPTION_VALUE)
    label = fields.Nested(LabelsSchema, required=True)


def _option_or_point(value) -> None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValidationError("Give option values or scale points.")


class ConditionSchema(Schema):
    question = fields.String(required=True, validate=QUESTION_KEY)
    values = fields.List(fields.Raw(validate=_option_or_point), required=True,
                         validate=validate.Length(min=1, max=MAX_OPTIONS))


class QuestionSchema(Schema):
    key = fields.String(required=True, validate=QUESTION_KEY)
    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    label = fields.Nested(LabelsSchema, required=True)
    hint = fields.Nested(LabelsSchema)
    required = StrictBoolean(load_default=False)
    page = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=1, max=MAX_QUESTIONS))
    profile = StrictBoolean(load_default=False)
    options = fields.List(fields.Nested(OptionSchema), validate=validate.Length(max=MAX_OPTIONS))
    min_choices = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_OPTIONS))
    max_choices = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_OPTIONS))
    min = fields.Float(allow_nan=False, validate=validate.Range(min=-1e9, max=1e9))
    max = fields.Float(allow_nan=False, validate=validate.Range(min=-1e9, max=1e9))
    low_label = fields.Nested(LabelsSchema)
    high_label = fields.Nested(LabelsSchema)
    max_length = fields.Integer(strict=True, validate=validate.Range(min=1, max=5000))
    show_if = fields.Nested(ConditionSchema)


def questions_field(**kwargs) -> fields.List:
    return fields.List(fields.Nested(QuestionSchema), validate=validate.Length(min=1, max=MAX_QUESTIONS), **kwargs)


class TemplateCreateSchema(Schema):
    key = fields.String(required=True, validate=[validate.Length(min=2, max=60), SLUG])
    title = fields.Nested(LabelsSchema, required=True)
    description = fields.Nested(LongLabelsSchema, load_default=dict)
    questions = questions_field(required=True)


class TemplateSchema(Schema):
    key = fields.String()
    title = fields.Dict()
    description = fields.Dict()
    builtin = fields.Boolean()
    questions = fields.List(fields.Dict())


class SurveyCreateSchema(Schema):
    template = fields.String(validate=[validate.Length(min=2, max=60), SLUG])
    title = fields.Nested(LabelsSchema)
    description = fields.Nested(LongLabelsSchema)
    questions = questions_field()
    follow_up_of = fields.Integer(strict=True, allow_none=True, load_default=None)

    @validates_schema
    def template_or_questions(self, data, **_kwargs):
        if "template" in data and "questions" in data:
            raise ValidationError("Give a template or questions, not both.", "questions")


class SurveyUpdateSchema(Schema):
    title = fields.Nested(LabelsSchema)
    description = fields.Nested(LongLabelsSchema)
    questions = questions_field()
    follow_up_of = fields.Integer(strict=True, allow_none=True)


class SurveySchema(Schema):
    id = fields.Integer()
    commune = fields.String()
    title = fields.Dict()
    description = fields.Dict()
    template = fields.String(attribute="template_key", allow_none=True)
    follow_up_of = fields.Integer(allow_none=True)
    status = fields.String()
    questions = fields.List(fields.Dict())
    token = fields.String()
    public_url = fields.String(allow_none=True)
    responses = fields.Integer()
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class PublishedSchema(SurveySchema):
    qr_png = fields.String()
    qr_svg = fields.String()


class AnswersSchema(Schema):
    answers = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=60)),
                          values=fields.Raw(allow_none=True), required=True,
                          validate=validate.Length(max=MAX_QUESTIONS))


class ResponseSchema(Schema):
    id = fields.String()
    channel = fields.String()
    submitted_on = fields.Date()
    answers = fields.Dict()


class AcceptedSchema(Schema):
    status = fields.String()
    message = fields.String()


class ExportArgsSchema(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))


class ResultsArgsSchema(ExportArgsSchema):
    by = fields.String(validate=QUESTION_KEY)


class SnapshotCreateSchema(Schema):
    questions = fields.List(fields.String(validate=QUESTION_KEY), required=True,
                            validate=validate.Length(min=1, max=MAX_QUESTIONS))
    as_of = fields.Date(load_default=None)


class SnapshotSchema(Schema):
    survey_id = fields.Integer()
    as_of = fields.Date()
    responses = fields.Integer()
    question_keys = fields.List(fields.String())
    published_at = fields.DateTime()
    results = fields.Dict()


class LanguageArgsSchema(Schema):
    lang = fields.String(validate=validate.OneOf(LANGUAGES))
