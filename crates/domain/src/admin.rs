//! The rules of administration: who may change the unit tree, the accounts and the
//! district's settings, and what a unit's name and code, a login and a password must be.
//! Each rule answers with the code name of the rule a refusal broke, which the pages and
//! the API turn into words.

use crate::role::{Role, Staff};
use crate::unit::{path_ids, UnitKind};

/// Longest name of a unit, a category or a person, in characters.
pub const LONGEST_NAME: usize = 100;
/// Longest unit code, in bytes.
pub const LONGEST_CODE: usize = 32;
/// Shortest password, in characters.
pub const MIN_PASSWORD: usize = 8;

/// Admins administer their own subtree.
pub fn may_administer(staff: &Staff) -> bool {
    staff.role == Role::Admin
}

/// District-wide settings (calendar, deadlines, scoring, the catalogue) belong to the
/// admins of a root unit: a subdistrict's admin must not change the whole district's.
pub fn may_set_for_district(staff: &Staff) -> bool {
    may_administer(staff) && path_ids(&staff.unit_path).count() == 1
}

/// A name as typed, trimmed, if it is neither empty nor too long.
pub fn name(name: &str) -> Result<&str, &'static str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > LONGEST_NAME || name.contains('\0') {
        return Err("bad_name");
    }
    Ok(name)
}

/// A unit code as typed, trimmed: one word of at most `LONGEST_CODE` bytes.
pub fn unit_code(code: &str) -> Result<&str, &'static str> {
    let code = code.trim();
    if code.is_empty() || code.len() > LONGEST_CODE || code.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("bad_code");
    }
    Ok(code)
}

/// A new unit goes under another: the district is the one root.
pub fn may_add_under_parent(kind: UnitKind) -> Result<(), &'static str> {
    if kind == UnitKind::District {
        return Err("district_is_root");
    }
    Ok(())
}

/// A login as typed, trimmed, if it is 1 to 64 letters, digits, `_`, `.` or `-`.
pub fn login(login: &str) -> Option<&str> {
    let login = login.trim();
    let valid =
        !login.is_empty() && login.len() <= 64 && login.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    valid.then_some(login)
}

/// Whether a new password is long enough.
pub fn password(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < MIN_PASSWORD {
        return Err("short_password");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(role: Role, unit_path: &str) -> Staff {
        Staff { user_id: 1, role, unit_id: 1, unit_path: unit_path.into() }
    }

    #[test]
    fn district_settings_belong_to_the_roots_admins() {
        assert!(may_set_for_district(&staff(Role::Admin, "/1/")));
        assert!(!may_set_for_district(&staff(Role::Admin, "/1/4/")));
        assert!(!may_set_for_district(&staff(Role::Leader, "/1/")));
        assert!(may_administer(&staff(Role::Admin, "/1/4/")));
    }

    #[test]
    fn names_codes_logins_and_passwords() {
        assert_eq!(name("  桃源社区 "), Ok("桃源社区"));
        assert_eq!(name(" "), Err("bad_name"));
        assert_eq!(name(&"名".repeat(LONGEST_NAME + 1)), Err("bad_name"));
        assert_eq!(unit_code(" TY01 "), Ok("TY01"));
        assert_eq!(unit_code("TY 01"), Err("bad_code"));
        assert_eq!(unit_code(&"x".repeat(LONGEST_CODE + 1)), Err("bad_code"));
        assert_eq!(may_add_under_parent(UnitKind::District), Err("district_is_root"));
        assert_eq!(may_add_under_parent(UnitKind::Community), Ok(()));
        assert_eq!(login(" wang.li "), Some("wang.li"));
        assert_eq!(login("王丽"), None);
        assert_eq!(password("1234567"), Err("short_password"));
        assert_eq!(password("12345678"), Ok(()));
    }
}
