"""A real OpenID Connect provider for the tests, served from a thread on 127.0.0.1.

Authlib's authorization server does the protocol: the authorization code grant with PKCE,
client authentication (client_secret_basic or client_secret_post), single-use codes, and ID
tokens signed RS256 with the request's nonce. Around it sit a discovery document, the JWKS with
the RSA key, a userinfo endpoint, and an authorize endpoint that signs in whoever the test has
chosen (`sign_in_as`) and redirects straight back with a code. Nothing leaves the machine.

Three flavours share one server, so that each kind of Coachroom provider meets it:

- generic OpenID Connect: issuer `base_url`, discovery at /.well-known/openid-configuration;
- Microsoft Entra ID: `/<tenant>/oauth2/v2.0/authorize` and friends, issuer
  `base_url/<tenant>/v2.0` (point SSO_MICROSOFT_LOGIN_URL at `base_url`);
- Google: `/google/...`, issuer `base_url/google` (SSO_GOOGLE_ENDPOINTS = `google_endpoints`).

/impostor/.well-known/openid-configuration names another issuer than its own address.
`tamper` makes the next ID tokens wrong on purpose: "nonce", "signature" (signed by another
key under the same kid), "audience" or "expired".
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http import HTTPStatus
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Payload, OAuth2Request, grants
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from joserfc import jwt
from joserfc.jwk import RSAKey

KID = "coachroom-test-key"
MICROSOFT = re.compile(
    r"^/(?P<tenant>[0-9a-f-]{36})/(?P<endpoint>oauth2/v2\.0/authorize|oauth2/v2\.0/token|"
    r"discovery/v2\.0/keys|v2\.0/\.well-known/openid-configuration)$"
)


# Authlib's models ------------------------------------------------------------------------------


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri.startswith("http")

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    issuer: str
    person: dict[str, Any]
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class Payload(OAuth2Payload):
    def __init__(self, values: dict[str, list[str]]) -> None:
        self._values = values

    @property
    def data(self) -> dict[str, str]:
        return {k: v[0] for k, v in self._values.items()}

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return defaultdict(list, self._values)


class Request(OAuth2Request):
    def __init__(self, environ: dict[str, Any], base_url: str) -> None:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        form: dict[str, list[str]] = {}
        if environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse_qs(environ["wsgi.input"].read(length).decode())
        headers = {"Content-Type": environ.get("CONTENT_TYPE", "")}
        if "HTTP_AUTHORIZATION" in environ:
            headers["Authorization"] = environ["HTTP_AUTHORIZATION"]
        uri = base_url + environ.get("PATH_INFO", "")
        super().__init__(environ["REQUEST_METHOD"], uri, headers=headers)
        self._query = {k: v[0] for k, v in query.items()}
        self._form = {k: v[0] for k, v in form.items()}
        self.payload = Payload({**query, **form})

    @property
    def args(self) -> dict[str, str]:
        return self._query

    @property
    def form(self) -> dict[str, str]:
        return self._form


# The grant and its OpenID Connect extension ------------------------------------------------------


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: Request) -> None:
        data = request.payload.data
        self.server.provider.codes[code] = Code(
            code=code,
            client_id=request.client.get_client_id(),
            redirect_uri=data.get("redirect_uri", ""),
            scope=data.get("scope", ""),
            nonce=data.get("nonce"),
            issuer=self.server.provider.current_issuer,
            person=dict(request.user),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
        )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        found = self.server.provider.codes.get(code)
        return found if found and found.client_id == client.get_client_id() else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        self.server.provider.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
        return authorization_code.person


class IdToken(OpenIDCode):
    def __init__(self, provider: OIDCProvider) -> None:
        super().__init__(require_nonce=False)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: Request) -> bool:
        return False

    def resolve_client_private_key(self, client: Client) -> RSAKey:
        return self.provider.key

    def get_client_algorithm(self, client: Client) -> str:
        return "RS256"

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": KID}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        return {"aud": [client.get_client_id()]}

    def get_compatible_claims(self, request: Request) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_compatible_claims(request)
        claims["iss"] = request.authorization_code.issuer
        return claims

    def generate_user_info(self, user: dict[str, Any], scope: str) -> dict[str, Any]:
        return dict(user)


class Server(AuthorizationServer):
    def __init__(self, provider: OIDCProvider) -> None:
        super().__init__(scopes_supported=["openid", "email", "profile"])
        self.provider = provider
        self.register_token_generator(
            "default",
            BearerTokenGenerator(lambda **kwargs: secrets.token_urlsafe(24)).generate,
        )
        self.register_grant(
            AuthorizationCodeGrant, [CodeChallenge(required=False), IdToken(provider)]
        )

    def query_client(self, client_id: str) -> Client | None:
        return self.provider.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: Request) -> None:
        self.provider.tokens[token["access_token"]] = dict(request.user)

    def create_oauth2_request(self, request: Request) -> Request:
        return request

    def create_json_request(self, request: Request) -> Request:
        return request

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Any:
        if isinstance(body, dict):
            body = json.dumps(body)
            headers = [*headers, ("Content-Type", "application/json")]
        return status, body, headers


# The provider ----------------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class OIDCProvider:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": "RS256"})
        self.impostor_key = RSAKey.generate_key(2048, parameters={"kid": KID})
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.person: dict[str, Any] = {}
        self.tamper: str | None = None
        self.authorize_requests: list[dict[str, str]] = []
        self.current_issuer = ""
        self.server = Server(self)
        self.httpd = make_server(
            "127.0.0.1",
            0,
            self.wsgi,
            server_class=_ThreadingServer,
            handler_class=_QuietHandler,
        )
        self.base_url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # What the tests set up ---------------------------------------------------------------------

    def add_client(self, client_id: str, client_secret: str) -> None:
        self.clients[client_id] = Client(client_id, client_secret)

    def sign_in_as(self, **claims: Any) -> None:
        """Whoever signs in at the next authorize request (no login form: straight back)."""
        self.person = {"sub": secrets.token_hex(8), **claims}

    def google_endpoints(self) -> dict[str, str]:
        return {
            "issuer": f"{self.base_url}/google",
            "authorization_endpoint": f"{self.base_url}/google/authorize",
            "token_endpoint": f"{self.base_url}/google/token",
            "jwks_uri": f"{self.base_url}/google/jwks",
        }

    # Serving ---------------------------------------------------------------------------------

    def discovery(self, issuer: str, prefix: str) -> dict[str, Any]:
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{self.base_url}{prefix}/authorize",
            "token_endpoint": f"{self.base_url}{prefix}/token",
            "jwks_uri": f"{self.base_url}{prefix}/jwks",
            "userinfo_endpoint": f"{self.base_url}{prefix}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }

    def route(self, path: str) -> tuple[str, str]:
        """(endpoint, issuer) for a path."""
        found = MICROSOFT.match(path)
        if found:
            issuer = f"{self.base_url}/{found['tenant']}/v2.0"
            endpoint = found["endpoint"].rsplit("/", 1)[-1]
            names = {"openid-configuration": "discovery", "keys": "jwks"}
            return names.get(endpoint, endpoint), issuer
        prefix, _, endpoint = path.rpartition("/")
        if path.endswith("/.well-known/openid-configuration"):
            prefix, endpoint = path.removesuffix("/.well-known/openid-configuration"), "discovery"
        return endpoint, self.base_url + prefix

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        endpoint, issuer = self.route(environ.get("PATH_INFO", ""))
        request = Request(environ, self.base_url)
        handler = getattr(self, f"_{endpoint.replace('-', '_')}", None)
        if handler is None:
            status, body, headers = 404, json.dumps({"error": "not_found"}), []
        else:
            status, body, headers = handler(request, issuer)
        start_response(f"{status} {HTTPStatus(status).phrase}", list(headers))
        return [body.encode() if isinstance(body, str) else body]

    def _discovery(self, request: Request, issuer: str) -> tuple[int, str, list[Any]]:
        prefix = issuer.removeprefix(self.base_url)
        document = self.discovery(issuer, prefix)
        if prefix == "/impostor":  # a document that names another issuer than its address
            document["issuer"] = self.base_url
        return 200, json.dumps(document), [("Content-Type", "application/json")]

    def _jwks(self, request: Request, issuer: str) -> tuple[int, str, list[Any]]:
        keys = {"keys": [self.key.as_dict(private=False)]}
        return 200, json.dumps(keys), [("Content-Type", "application/json")]

    def _authorize(self, request: Request, issuer: str) -> tuple[int, str, list[Any]]:
        self.authorize_requests.append(request.payload.data)
        self.current_issuer = issuer
        try:
            grant = self.server.get_consent_grant(request=request, end_user=self.person)
        except OAuth2Error as error:
            return 400, json.dumps(dict(error.get_body())), [("Content-Type", "application/json")]
        return self.server.create_authorization_response(request, self.person, grant)

    def _token(self, request: Request, issuer: str) -> tuple[int, str, list[Any]]:
        status, body, headers = self.server.create_token_response(request)
        if status == 200 and self.tamper:
            data = json.loads(body)
            data["id_token"] = self._tampered(data["id_token"])
            body = json.dumps(data)
        return status, body, headers

    def _userinfo(self, request: Request, issuer: str) -> tuple[int, str, list[Any]]:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        person = self.tokens.get(token)
        if person is None:
            return 401, json.dumps({"error": "invalid_token"}), []
        return 200, json.dumps(person), [("Content-Type", "application/json")]

    def _tampered(self, id_token: str) -> str:
        claims = jwt.decode(id_token, self.key).claims
        key = self.key
        if self.tamper == "nonce":
            claims["nonce"] = "not-the-nonce-coachroom-sent"
        elif self.tamper == "signature":
            key = self.impostor_key
        elif self.tamper == "audience":
            claims["aud"] = ["someone-else"]
        elif self.tamper == "expired":
            claims["iat"], claims["exp"] = int(time.time()) - 7200, int(time.time()) - 3600
        return jwt.encode({"alg": "RS256", "kid": KID}, claims, key)


def callback_query(location: str) -> dict[str, str]:
    """The query of the provider's redirect back to Coachroom."""
    return {k: v[0] for k, v in parse_qs(location.partition("?")[2]).items()}


def redirect_with(location: str, **params: str) -> str:
    base, _, query = location.partition("?")
    values = {k: v[0] for k, v in parse_qs(query).items()}
    values.update(params)
    return f"{base}?{urlencode(values)}"
