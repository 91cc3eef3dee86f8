//! ID-token claim rules (filled when verification lands).
