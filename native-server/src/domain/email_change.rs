//! The email-change rule, as a pure decision over what the store read.
//!
//! - the address is free → **approved**;
//! - it belongs to an identity with no profile link in the realm → **merged**:
//!   that identity's sessions are revoked, it is removed, then the change applies;
//! - it belongs to an identity linked to a profile → **denied** (409).
//!
//! Changing to the identity's own address is a no-op (**unchanged**).

use super::IdentityId;

/// Who holds the requested address now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    Nobody,
    Itself,
    Other { id: IdentityId, linked: bool },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Unchanged,
    Approve,
    MergeThenApprove { absorbed: IdentityId },
    Deny,
}

pub fn decide(holder: Holder) -> Decision {
    match holder {
        Holder::Nobody => Decision::Approve,
        Holder::Itself => Decision::Unchanged,
        Holder::Other { linked: true, .. } => Decision::Deny,
        Holder::Other { id, linked: false } => Decision::MergeThenApprove { absorbed: id },
    }
}

/// The outcome reported to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailChangeOutcome {
    Unchanged,
    Approved,
    Merged { absorbed: IdentityId },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_change_rule_free_unlinked_linked_self() {
        let other = IdentityId::generate();
        assert_eq!(decide(Holder::Nobody), Decision::Approve);
        assert_eq!(decide(Holder::Itself), Decision::Unchanged);
        assert_eq!(decide(Holder::Other { id: other.clone(), linked: true }), Decision::Deny);
        assert_eq!(decide(Holder::Other { id: other.clone(), linked: false }), Decision::MergeThenApprove { absorbed: other });
    }
}
