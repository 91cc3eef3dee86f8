//! Domain values: validated newtypes, identities, events and the pure rules
//! (email change, lockout) that the store applies inside its transactions.

pub mod email;
pub mod email_change;
pub mod events;
pub mod fields;
pub mod identity;
pub mod language;
pub mod lockout;

pub use email::Email;
pub use fields::{FieldError, IdpHint, Name, Password, ProfileId};
pub use identity::{Identity, IdentityId, NewIdentity};
pub use language::Language;
