//! Placeholder substitution for the template strings of `problems` and `phrases`.
//!
//! Hand-rolled rather than `format!`-based because templates are data chosen at run time,
//! and because the generator must produce well over 100,000 messages a second.

use std::fmt::Write;

/// The numbers a message mentions. Kept apart from the text so that near-duplicate
/// messages about one incident quote the same figures.
#[derive(Clone, Copy, Debug, Default)]
pub struct Numbers {
    /// A count, 2..=30.
    pub n: u32,
    /// A sum of money in yuan.
    pub m: u32,
    /// Years, 2..=8.
    pub y: u32,
    /// Months, 2..=11.
    pub d: u32,
    /// Index into `NIGHT_TIMES`.
    pub t: u32,
}

const NIGHT_TIMES: &[&str] = &["晚上十一点", "凌晨一点", "深夜十二点多", "凌晨两三点", "晚上十点半"];

impl Numbers {
    pub fn random(rng: &mut impl rand::Rng) -> Self {
        // Sums cluster on round amounts, as people quote them.
        const MONEY: &[u32] = &[80, 120, 150, 200, 260, 300, 350, 480, 500, 800, 1200, 1500, 2000, 3000, 5800];
        Numbers {
            n: rng.gen_range(2..=30),
            m: MONEY[rng.gen_range(0..MONEY.len())],
            y: rng.gen_range(2..=8),
            d: rng.gen_range(2..=11),
            t: rng.gen_range(0..NIGHT_TIMES.len() as u32),
        }
    }
}

/// Values for every placeholder. Empty strings are allowed; the template author makes
/// sure a placeholder is only used where its value exists.
#[derive(Default)]
pub struct Ctx<'a> {
    /// {p} the place the message is about
    pub place: &'a str,
    /// {u} the community or village
    pub community: &'a str,
    /// {r} a road of the community
    pub road: &'a str,
    /// {f} the property-management firm
    pub firm: &'a str,
    /// {s} the school
    pub school: &'a str,
    /// {c} a company
    pub company: &'a str,
    /// {l} a category name (generic texts)
    pub label: &'a str,
    /// {i} the issue phrase (titles, praise, replies)
    pub issue: &'a str,
    /// {o} the handling department
    pub dept: &'a str,
    /// {z} the 街道 or 镇
    pub township: &'a str,
    /// {h} how a reply addresses the requester
    pub addressee: &'a str,
    /// {k} a cadre ("李主任")
    pub cadre: &'a str,
    /// {e} a landline number
    pub landline: &'a str,
    pub nums: Numbers,
}

/// Appends `tpl` to `out` with every `{x}` replaced from `ctx`.
pub fn fill(out: &mut String, tpl: &str, ctx: &Ctx) {
    let bytes = tpl.as_bytes();
    let mut start = 0;
    let mut i = 0;
    // '{' and '}' are ASCII, so they never occur inside a multi-byte UTF-8 sequence and
    // byte positions around them are always char boundaries.
    while i < bytes.len() {
        if bytes[i] == b'{' && i + 2 < bytes.len() && bytes[i + 2] == b'}' {
            out.push_str(&tpl[start..i]);
            let n = &ctx.nums;
            let key = bytes[i + 1];
            let number = match key {
                b'n' => Some(n.n),
                b'm' => Some(n.m),
                b'y' => Some(n.y),
                b'd' => Some(n.d),
                _ => None,
            };
            if let Some(v) = number {
                // Writing to a String cannot fail.
                let _ = write!(out, "{v}");
            } else {
                out.push_str(match key {
                    b'p' => ctx.place,
                    b'u' => ctx.community,
                    b'r' => ctx.road,
                    b'f' => ctx.firm,
                    b's' => ctx.school,
                    b'c' => ctx.company,
                    b'l' => ctx.label,
                    b'i' => ctx.issue,
                    b'o' => ctx.dept,
                    b'z' => ctx.township,
                    b'h' => ctx.addressee,
                    b'k' => ctx.cadre,
                    b'e' => ctx.landline,
                    b't' => NIGHT_TIMES[n.t as usize % NIGHT_TIMES.len()],
                    // Unknown keys are left as written so a typo shows up in tests.
                    _ => &tpl[i..i + 3],
                });
            }
            i += 3;
            start = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&tpl[start..]);
}

/// `fill` into a new string.
pub fn filled(tpl: &str, ctx: &Ctx) -> String {
    let mut s = String::with_capacity(tpl.len() + 32);
    fill(&mut s, tpl, ctx);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_known_keys_and_keeps_the_rest() {
        let ctx = Ctx { place: "金桂苑", nums: Numbers { n: 7, ..Default::default() }, ..Default::default() };
        assert_eq!(filled("{p}停水{n}天{q}", &ctx), "金桂苑停水7天{q}");
        assert_eq!(filled("无占位符", &ctx), "无占位符");
        assert_eq!(filled("{p}", &ctx), "金桂苑");
    }
}
