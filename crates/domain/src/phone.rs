//! Requesters' phone numbers are personal information: shown as 138****1234 unless the
//! viewer's role needs the number. A number is kept as its digits (`normalize`), so that
//! the same caller is found again however the number was spoken or typed.

use crate::error::Broken;

pub fn mask(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// Longest a phone number may be as typed, in characters.
pub const MAX_PHONE: usize = 32;

/// Why a phone number is refused: named here so that pages can say it in their language.
pub const NOT_A_PHONE: &str = "5 to 20 digits, with only - + ( ) or spaces between them";

/// Whether `phone` (empty is no number) could be dialled: 5 to 20 digits (a mobile, a
/// landline with its area code, a short service number), and between them only what
/// people write into numbers. `field` names the input for the error.
pub fn check(phone: &str, field: &'static str) -> Result<(), Broken> {
    if phone.chars().count() > MAX_PHONE {
        return Err(Broken::Invalid { field, reason: format!("longer than {MAX_PHONE} characters") });
    }
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let written = phone.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')'));
    if !written || (!phone.trim().is_empty() && !(5..=20).contains(&digits)) {
        return Err(Broken::Invalid { field, reason: NOT_A_PHONE.into() });
    }
    Ok(())
}

/// The number as it is kept and looked up: its digits, with a leading + kept for an
/// international number. "138 1234-1234" and "13812341234" are one caller.
pub fn normalize(phone: &str) -> String {
    let trimmed = phone.trim();
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if trimmed.starts_with('+') && !digits.is_empty() {
        format!("+{digits}")
    } else {
        digits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_the_middle_of_a_mobile_number() {
        assert_eq!(mask("13812341234"), "138****1234");
        assert_eq!(mask("12345"), "*****");
    }

    #[test]
    fn a_number_is_its_digits_however_it_was_typed() {
        assert_eq!(normalize(" 138 1234-1234 "), "13812341234");
        assert_eq!(normalize("(0571) 8888-6666"), "057188886666");
        assert_eq!(normalize("+86 138 1234 1234"), "+8613812341234");
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn only_a_number_that_could_be_dialled_is_taken() {
        for good in ["", "13812341234", "0571-88886666", "+86 138 1234 1234", "12345", "(0571) 8888 6666"] {
            assert_eq!(check(good, "requester_phone"), Ok(()), "{good}");
        }
        for bad in ["1", "1380", "138abc41234", "１３８１２３４１２３４", "123456789012345678901", "138.1234.1234"]
        {
            assert!(matches!(check(bad, "requester_phone"), Err(Broken::Invalid { .. })), "{bad}");
        }
        assert!(check(&"1".repeat(33), "phone").is_err());
    }
}
