"""Layer 1, the contract core: documents with source maps, ``$ref`` s, operations, validators."""

from accord.core._asyncapi import (
    AsyncChannel,
    AsyncContract,
    AsyncMessage,
    AsyncOperation,
    ChannelMatch,
    MessageExample,
)
from accord.core._contract import Contract, LoadOptions, Match
from accord.core._matrix import MatrixRow, MatrixSummary, summarise_matrix
from accord.core._message_check import MessageCheck, check_message
from accord.core._model import (
    Example,
    Header,
    MediaType,
    Operation,
    Parameter,
    Place,
    RequestBody,
    Response,
    SchemaRef,
)
from accord.core._pact import (
    Body,
    HttpRequest,
    HttpResponse,
    Interaction,
    Message,
    PactFile,
    ProviderState,
)
from accord.core._params import (
    ParameterSpec,
    ParsedRequest,
    coerce,
    compile_parameters,
    cookies_of,
    read_parameters,
)
from accord.core._paths import PathTemplate, Router
from accord.core._refs import DocumentSet, Target
from accord.core._resolve import SchemaNode, SchemaResolver
from accord.core._schema import (
    Direction,
    SchemaValidator,
    Violation,
    build_registry,
    compile_validator,
    convert_document,
)
from accord.core._source import SourceFile, SourceMap, decode_pointer, encode_pointer, load_source

__all__ = [
    "AsyncChannel",
    "AsyncContract",
    "AsyncMessage",
    "AsyncOperation",
    "Body",
    "ChannelMatch",
    "Contract",
    "Direction",
    "DocumentSet",
    "Example",
    "Header",
    "HttpRequest",
    "HttpResponse",
    "Interaction",
    "LoadOptions",
    "Match",
    "MatrixRow",
    "MatrixSummary",
    "MediaType",
    "Message",
    "MessageCheck",
    "MessageExample",
    "Operation",
    "PactFile",
    "Parameter",
    "ParameterSpec",
    "ParsedRequest",
    "PathTemplate",
    "Place",
    "ProviderState",
    "RequestBody",
    "Response",
    "Router",
    "SchemaNode",
    "SchemaRef",
    "SchemaResolver",
    "SchemaValidator",
    "SourceFile",
    "SourceMap",
    "Target",
    "Violation",
    "build_registry",
    "check_message",
    "coerce",
    "compile_parameters",
    "compile_validator",
    "convert_document",
    "cookies_of",
    "decode_pointer",
    "encode_pointer",
    "load_source",
    "read_parameters",
    "summarise_matrix",
]
