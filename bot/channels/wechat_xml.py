"""WeChat's message XML: a safe reader and the replies.

The reader is expat with no document type allowed at all: a ``<!DOCTYPE`` (and so any entity
declaration, internal or external: "billion laughs", XXE) is refused before anything is
expanded. WeChat's messages are one ``<xml>`` element of simple fields; deeper elements (event
details) are skipped.
"""

from __future__ import annotations

from typing import NoReturn
from xml.parsers import expat

MAX_FIELDS = 64
MAX_FIELD_CHARS = 16384


class XmlRefused(ValueError):
    """Malformed XML, a document type, or a shape WeChat never sends."""


def _refuse(*args: object) -> NoReturn:
    raise XmlRefused("document type or entity declarations are not accepted")


def parse_fields(body: bytes) -> dict[str, str]:
    """The text of each child of the ``<xml>`` root, by element name."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    fields: dict[str, str] = {}
    count = [0]
    stack: list[str] = []
    text: list[str] = []
    length = [0]  # characters in ``text``, kept as they come (a sum would be quadratic)

    def start(name: str, attributes: dict) -> None:
        if not stack and name != "xml":
            raise XmlRefused("the root element is not <xml>")
        stack.append(name)
        if len(stack) == 2:
            text.clear()
            length[0] = 0

    def end(name: str) -> None:
        if len(stack) == 2:
            count[0] += 1
            if count[0] > MAX_FIELDS:
                raise XmlRefused("too many fields")
            fields[name] = "".join(text)
        stack.pop()

    def characters(data: str) -> None:
        if len(stack) == 2:
            text.append(data)
            length[0] += len(data)
            if length[0] > MAX_FIELD_CHARS:
                raise XmlRefused("field too long")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(body, True)
    except expat.ExpatError as error:
        raise XmlRefused(f"malformed XML: {error}") from None
    return fields


def cdata(text: str) -> str:
    """``text`` as CDATA, however it is written (a ``]]>`` inside is split across sections)."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to_user: str, from_user: str, created: int, content: str) -> str:
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(created)}</CreateTime><MsgType>{cdata('text')}</MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


def encrypted_reply(encrypted: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    return (
        f"<xml><Encrypt>{cdata(encrypted)}</Encrypt>"
        f"<MsgSignature>{cdata(msg_signature)}</MsgSignature>"
        f"<TimeStamp>{int(timestamp)}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>"
    )
