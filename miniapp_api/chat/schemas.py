"""Request and response shapes of the chat endpoints."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..i18n import SUPPORTED_LOCALES

MAX_TEXT = 2000


class LocationSchema(Schema):
    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    accuracy = fields.Float(
        validate=validate.Range(min=0, max=1_000_000),
        metadata={"description": "metres, as the browser reports it"},
    )


class ChatRequestSchema(Schema):
    text = fields.String(
        validate=validate.Length(min=1, max=MAX_TEXT),
        metadata={"example": "what's the air like today"},
    )
    payload = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={"description": "a button's payload", "example": "/help"},
    )
    title = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "the title of the button sent as payload"},
    )
    lang = fields.String(
        validate=validate.OneOf(SUPPORTED_LOCALES),
        metadata={
            "description": "the reply language the citizen chose; omitted: the conversation's"
        },
    )
    interface_lang = fields.String(
        validate=validate.OneOf(SUPPORTED_LOCALES),
        metadata={
            "description": "the language the page is shown in: a default only, the citizen's "
            "own writing comes first"
        },
    )
    location = fields.Nested(LocationSchema)

    @validates_schema
    def one_message(self, data: dict, **kwargs) -> None:
        given = [name for name in ("text", "payload") if (data.get(name) or "").strip()]
        if len(given) != 1:
            raise ValidationError("exactly one of text and payload", "_schema")


class ChatButtonSchema(Schema):
    title = fields.String()
    payload = fields.String()


class ReplySchema(Schema):
    text = fields.String()
    buttons = fields.List(fields.Nested(ChatButtonSchema))
    image = fields.String()


class HandoffStateSchema(Schema):
    number = fields.String()
    status = fields.String()


class ChatReplySchema(Schema):
    replies = fields.List(fields.Nested(ReplySchema))
    handoff = fields.Nested(
        HandoffStateSchema,
        allow_none=True,
        metadata={
            "description": "the conversation's open handoff ticket: the assistant stays silent "
            "until staff close it"
        },
    )


class ChatTurnSchema(Schema):
    role = fields.String(metadata={"description": "citizen or bot"})
    text = fields.String()
    buttons = fields.List(fields.Nested(ChatButtonSchema))
    at = fields.DateTime()


class HistorySchema(Schema):
    turns = fields.List(fields.Nested(ChatTurnSchema))


class WebSessionSchema(Schema):
    token = fields.String()
    expires_at = fields.DateTime()
    citizen_id = fields.Integer()
    channel_ticket = fields.String(
        metadata={"description": "opens the socket.io channel for this conversation (auth.ticket)"}
    )
