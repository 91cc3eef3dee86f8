//! OpenID Connect messages: discovery, token-endpoint requests and
//! responses, ID-token claim rules and the end-session URL. Every request is
//! returned as data for the caller to send.

pub mod discovery;
pub mod endpoint;

pub mod id_token;
pub mod logout;
pub mod token;

pub use discovery::{parse_discovery, DiscoveryError, ProviderMetadata};

pub use logout::end_session_url;
pub use token::{
    authorization_code_request, parse_token_response, refresh_request, revocation_request, ClientAuth, FormPost,
    TokenEndpointError, TokenResponse,
};
