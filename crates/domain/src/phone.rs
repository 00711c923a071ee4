//! Requesters' phone numbers are personal information: shown as 138****1234 unless the
//! viewer's role needs the number.

pub fn mask(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks_the_middle_of_a_mobile_number() {
        assert_eq!(super::mask("13812341234"), "138****1234");
        assert_eq!(super::mask("12345"), "*****");
    }
}
