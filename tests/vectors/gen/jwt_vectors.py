#!/usr/bin/env python3
"""Generates tests/vectors/jwt.json: Realmgate's own JWT cases (FORMAT.md `jwt` component).

Tokens are signed here with Python `cryptography` (an independent JOSE implementation from ours);
keys are fresh on every run, so the committed JSON is the reference, and this script shows how each
case was made. Run: python3 tests/vectors/gen/jwt_vectors.py > tests/vectors/jwt.json
"""
import base64, json, sys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, x25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

NOW = 1767225600
BASE = "https://id.example.test"
ISS = BASE + "/realms/members"


def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def uint(n): return b64(n.to_bytes((n.bit_length() + 7) // 8, "big"))


rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ec_key = ec.generate_private_key(ec.SECP256R1())
ed_key = ed25519.Ed25519PrivateKey.generate()
p384_key = ec.generate_private_key(ec.SECP384R1())
x_key = x25519.X25519PrivateKey.generate()


def rsa_jwk(k, kid, alg="RS256"):
    n = k.public_key().public_numbers()
    return {"kty": "RSA", "kid": kid, "use": "sig", "alg": alg, "n": uint(n.n), "e": uint(n.e)}


def ec_jwk(k, kid, crv="P-256", size=32):
    n = k.public_key().public_numbers()
    return {"kty": "EC", "kid": kid, "use": "sig", "crv": crv,
            "x": b64(n.x.to_bytes(size, "big")), "y": b64(n.y.to_bytes(size, "big"))}


def ed_jwk(k, kid):
    from cryptography.hazmat.primitives import serialization as s
    raw = k.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "kid": kid, "use": "sig", "x": b64(raw)}


def x25519_jwk(k, kid):
    from cryptography.hazmat.primitives import serialization as s
    raw = k.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "X25519", "kid": kid, "x": b64(raw)}


JWKS = {"keys": [rsa_jwk(rsa_key, "rs1"), ec_jwk(ec_key, "ec1"), ed_jwk(ed_key, "ed1"),
                 {"kty": "oct", "kid": "hmac1", "k": b64(b"0" * 32)},
                 ec_jwk(p384_key, "p384", "P-384", 48), x25519_jwk(x_key, "x1")]}


def sign(alg, signing_input, sig_bytes=None):
    if alg == "RS256":
        return rsa_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    if alg == "ES256":
        r, s = decode_dss_signature(ec_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if alg == "EdDSA":
        return ed_key.sign(signing_input)
    raise ValueError(alg)


def token(header, claims=None, raw_header=None, raw_payload=None, sign_as=None, tweak_sig=None):
    h = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":"))
    p = raw_payload if raw_payload is not None else json.dumps(claims, separators=(",", ":"))
    si = (b64(h.encode()) + "." + b64(p.encode() if isinstance(p, str) else p)).encode()
    sig = sign(sign_as or header["alg"], si)
    if tweak_sig:
        sig = tweak_sig(sig)
    return si.decode() + "." + b64(sig)


def claims(**over):
    c = {"iss": ISS, "sub": "user-1", "aud": "edge-web", "exp": NOW + 300, "iat": NOW - 10,
         "typ": "Bearer", "azp": "edge-web", "scope": "openid email", "email": "ann@example.test"}
    for k, v in over.items():
        if v is DROP:
            c.pop(k, None)
        else:
            c[k] = v
    return c


DROP = object()
RS = {"alg": "RS256", "typ": "JWT", "kid": "rs1"}
ES = {"alg": "ES256", "typ": "JWT", "kid": "ec1"}
ED = {"alg": "EdDSA", "typ": "JWT", "kid": "ed1"}


def policy(leeway=0, algorithms=None):
    p = {"issuer_base_url": BASE, "allowed_realms": ["members", "pros"],
         "audiences": {"members": ["edge-web"], "pros": ["pro-portal"]}, "leeway_seconds": leeway}
    if algorithms:
        p["algorithms"] = algorithms
    return p


cases = []


def case(id, comment, tok, valid, error=None, leeway=0, algorithms=None, jwks=JWKS, subject="user-1", realm="members"):
    exp = {"valid": valid}
    if valid:
        exp.update({"realm": realm, "subject": subject})
    elif error:
        exp["error"] = error
    cases.append({"id": id, "comment": comment,
                  "input": {"token": tok, "jwks": jwks, "now": NOW, "policy": policy(leeway, algorithms)},
                  "expected": exp})


case("rg-jwt-01", "baseline RS256 with kid among six mixed keys", token(RS, claims()), True)
case("rg-jwt-02", "exp 10 s ago is accepted with 30 s leeway", token(ES, claims(exp=NOW - 10)), True, leeway=30)
case("rg-jwt-03", "exp exactly leeway ago is expired (exp <= now - leeway)", token(ES, claims(exp=NOW - 30)), False, "expired", leeway=30)
case("rg-jwt-04", "nbf 20 s ahead is accepted with 30 s leeway", token(ED, claims(nbf=NOW + 20)), True, leeway=30)
case("rg-jwt-05", "nbf 31 s ahead is not yet valid with 30 s leeway", token(ED, claims(nbf=NOW + 31)), False, "not_yet_valid", leeway=30)
case("rg-jwt-06", "iat 20 s ahead is accepted with 30 s leeway", token(RS, claims(iat=NOW + 20)), True, leeway=30)
case("rg-jwt-07", "exp with a fraction just after now", token(ES, claims(exp=NOW + 0.5)), True)
case("rg-jwt-08", "exp with a fraction just before now", token(ES, claims(exp=NOW - 0.5)), False, "expired")
case("rg-jwt-09", "negative exp", token(ES, claims(exp=-1)), False, "expired")
case("rg-jwt-10", "exp as a boolean", token(ES, claims(exp=True)), False, "claims")
case("rg-jwt-11", "nbf as a string", token(ES, claims(nbf=str(NOW))), False, "claims")
case("rg-jwt-12", "empty sub", token(RS, claims(sub="")), False, "claims")
case("rg-jwt-13", "sub as a number", token(RS, claims(sub=42)), False, "claims")
case("rg-jwt-14", "aud array with one accepted audience", token(RS, claims(aud=["account", "edge-web"])), True)
case("rg-jwt-15", "empty aud array", token(RS, claims(aud=[])), False, "audience")
case("rg-jwt-16", "aud of the other realm", token(RS, claims(aud="pro-portal")), False, "audience")
case("rg-jwt-17", "duplicate sub in the payload", token(RS, raw_payload=json.dumps(claims())[:-1] + ',"sub":"admin"}'), False, "malformed")
case("rg-jwt-18", "crit b64=false (RFC 7797) is refused", token({"alg": "RS256", "kid": "rs1", "b64": False, "crit": ["b64"]}, claims()), False, "malformed")
case("rg-jwt-19", "alg is not a string", token(None, claims(), raw_header='{"alg":["RS256"],"kid":"rs1"}', sign_as="RS256"), False, "malformed")
case("rg-jwt-20", "ES256 signature of 65 bytes", token(ES, claims(), tweak_sig=lambda s: s + b"\x00"), False, "signature")
case("rg-jwt-21", "kid names an HMAC key; HS256 is never allowed", token({"alg": "HS256", "kid": "hmac1"}, claims(), sign_as="RS256"), False, "unsupported_algorithm")
case("rg-jwt-22", "kid names an HMAC key under RS256", token({"alg": "RS256", "kid": "hmac1"}, claims()), False, "unknown_key")
case("rg-jwt-23", "kid names an X25519 key (not a signing curve)", token({"alg": "EdDSA", "kid": "x1"}, claims(), sign_as="EdDSA"), False, "unknown_key")
case("rg-jwt-24", "kid names a P-384 key under ES256", token({"alg": "ES256", "kid": "p384"}, claims()), False, "unknown_key")
case("rg-jwt-25", "no kid, but exactly one key fits EdDSA", token({"alg": "EdDSA"}, claims()), True)
case("rg-jwt-26", "no kid, single RSA key in the set", token({"alg": "RS256"}, claims()), True, jwks={"keys": [rsa_jwk(rsa_key, "rs1")]})
case("rg-jwt-27", "policy allows ES256 only", token(RS, claims()), False, "unsupported_algorithm", algorithms=["ES256"])
case("rg-jwt-28", "trailing newline after the token", token(RS, claims()) + "\n", False, "malformed")
case("rg-jwt-29", "payload is not UTF-8", token(RS, raw_payload=b"\xff\xfe{}"), False, "malformed")
case("rg-jwt-30", "header carries an embedded jwk (ignored); no kid and exactly one RSA key fits", token({"alg": "RS256", "jwk": rsa_jwk(rsa_key, "x")}, claims()), True)
case("rg-jwt-31", "token for realm pros with its audience", token(RS, claims(iss=BASE + "/realms/pros", aud="pro-portal")), True, realm="pros")
case("rg-jwt-32", "issuer with a trailing dot in the host", token(RS, claims(iss="https://id.example.test./realms/members")), False, "issuer")
case("rg-jwt-33", "signature segment empty", token(RS, claims()).rsplit(".", 1)[0] + ".", False)
case("rg-jwt-34", "JWK alg says PS256 but header says RS256 for an RS-signed token", token({"alg": "RS256", "kid": "rsps"}, claims()), False, "unknown_key",
     jwks={"keys": [rsa_jwk(rsa_key, "rsps", "PS256")]})

json.dump({"component": "jwt", "source": "Realmgate's own cases, generated by tests/vectors/gen/jwt_vectors.py with Python cryptography; now = 2026-01-01T00:00:00Z",
           "cases": cases}, sys.stdout, indent=1)
sys.stdout.write("\n")
