//! realmgate-server: the identity-administration API (issue #4).
fn main() {
    println!("realmgate-server {}: the administration API arrives with issue #4", env!("CARGO_PKG_VERSION"));
}
