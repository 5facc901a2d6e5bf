//! IAM's wildcards: `*` is any run of characters (none included, `/` and `:` included), `?` is
//! exactly one character. Comparison is case-sensitive; callers that need IAM's
//! case-insensitive action names lower-case both sides first.

/// Whether `text` matches `pattern` as a whole.
pub(crate) fn matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    // The classic linear-space matcher: on a mismatch, go back to the last `*` and let it eat
    // one more character. No recursion, so no pattern can blow the stack.
    let (mut p, mut t) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                last_star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match last_star {
                Some((star, eaten)) => {
                    p = star + 1;
                    t = eaten + 1;
                    last_star = Some((star, eaten + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// Whether `arn` matches the ARN `pattern` as IAM matches a `Resource` (or an `ArnLike`
/// condition): the first five `:`-separated fields (`arn`, partition, service, region,
/// account) are matched field by field, so a `*` there never crosses a `:`; the resource part
/// (everything after the fifth `:`) is matched as a whole, so there a `*` crosses `/` and `:`.
/// Case-sensitive. The pattern `*` matches everything; any other pattern or ARN with fewer
/// than six fields matches nothing (the parser refuses such resources in policies).
///
/// ```
/// use tollgate_policy::arn_matches;
/// let arn = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3/prod/GET/pets/42";
/// assert!(arn_matches("arn:aws:execute-api:*:*:a1b2c3/*/GET/pets/*", arn));
/// assert!(!arn_matches("arn:aws:execute-api:*:*:a1b2c3/*/POST/*", arn));
/// // A `*` in the region field does not reach into the account field.
/// assert!(!arn_matches("arn:aws:execute-api:*:a1b2c3/*", arn));
/// ```
pub fn arn_matches(pattern: &str, arn: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let (Some(pattern), Some(arn)) = (arn_fields(pattern), arn_fields(arn)) else {
        return false;
    };
    pattern.iter().zip(arn.iter()).all(|(p, a)| matches(p, a))
}

/// The six fields of an ARN, the last being the whole resource part.
pub(crate) fn arn_fields(arn: &str) -> Option<[&str; 6]> {
    let mut fields = arn.splitn(6, ':');
    let mut out = [""; 6];
    for slot in &mut out {
        *slot = fields.next()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn star_matches_any_run_including_none_and_separators() {
        assert!(matches("*", ""));
        assert!(matches("a*", "a"));
        assert!(matches("a*c", "ab/x:yc"));
        assert!(matches("*/GET/*", "prod/GET/pets/1"));
        assert!(!matches("a*c", "abd"));
        assert!(matches("**", "anything"));
    }

    #[test]
    fn question_mark_matches_exactly_one_character() {
        assert!(matches("a?c", "abc"));
        assert!(matches("a?c", "aéc"), "one character, not one byte");
        assert!(!matches("a?c", "ac"));
        assert!(!matches("a?c", "abbc"));
    }

    #[test]
    fn literal_match_is_case_sensitive_and_whole() {
        assert!(matches("Invoke", "Invoke"));
        assert!(!matches("invoke", "Invoke"));
        assert!(!matches("Inv", "Invoke"));
        assert!(!matches("Invoke", "Inv"));
    }

    #[test]
    fn backtracking_finds_a_later_split() {
        assert!(matches("*ab", "aab"));
        assert!(matches("a*b*c", "a-b-b-c"));
        assert!(!matches("a*b*c", "a-b-b-"));
    }

    #[test]
    fn arn_fields_before_the_resource_do_not_let_a_star_cross_a_colon() {
        let arn = "arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/";
        assert!(arn_matches("arn:aws:execute-api:*:*:api/*", arn));
        assert!(arn_matches(
            "arn:aws:execute-api:us-east-?:123456789012:api/prod/GET/",
            arn
        ));
        // Region pattern `*` cannot swallow the account field too.
        assert!(!arn_matches("arn:aws:execute-api:*:api/*", arn));
        // In the resource part a `*` does cross `:` and `/`.
        assert!(arn_matches(
            "arn:aws:execute-api:*:*:api/*",
            "arn:aws:execute-api:r:1:api/prod/GET/a:b/c"
        ));
    }

    #[test]
    fn arn_matching_is_case_sensitive() {
        let arn = "arn:aws:execute-api:us-east-1:1:api/prod/GET/pets";
        assert!(!arn_matches(
            "arn:aws:execute-api:us-east-1:1:api/prod/get/pets",
            arn
        ));
        assert!(!arn_matches(
            "arn:aws:Execute-api:us-east-1:1:api/prod/GET/pets",
            arn
        ));
    }

    #[test]
    fn star_alone_matches_everything_and_short_patterns_nothing() {
        assert!(arn_matches("*", "arn:aws:execute-api:r:1:api/x"));
        assert!(arn_matches("*", "not-an-arn"));
        assert!(!arn_matches("arn:aws:*", "arn:aws:execute-api:r:1:api/x"));
        assert!(!arn_matches("arn:aws:execute-api:r:1:*", "not-an-arn"));
    }

    /// An obviously right (exponential) matcher to check the linear one against.
    fn reference(pattern: &[char], text: &[char]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some(('*', rest)) => (0..=text.len()).any(|skip| reference(rest, &text[skip..])),
            Some((&c, rest)) => match text.split_first() {
                Some((&t, text_rest)) if c == '?' || c == t => reference(rest, text_rest),
                _ => false,
            },
        }
    }

    fn reference_arn(pattern: &str, arn: &str) -> bool {
        if pattern == "*" {
            return true;
        }
        let p: Vec<&str> = pattern.splitn(6, ':').collect();
        let a: Vec<&str> = arn.splitn(6, ':').collect();
        p.len() == 6
            && a.len() == 6
            && p.iter().zip(&a).all(|(p, a)| {
                reference(
                    &p.chars().collect::<Vec<_>>(),
                    &a.chars().collect::<Vec<_>>(),
                )
            })
    }

    proptest! {
        #[test]
        fn matcher_agrees_with_the_reference(pattern in "[ab*?/:]{0,8}", text in "[ab/:]{0,10}") {
            let expected = reference(
                &pattern.chars().collect::<Vec<_>>(),
                &text.chars().collect::<Vec<_>>(),
            );
            prop_assert_eq!(matches(&pattern, &text), expected);
        }

        #[test]
        fn arn_matches_agrees_with_the_reference(
            pattern in "(arn:[a*]{0,2}:[ab*?]{0,3}:[a?*]{0,2}:[1*]{0,2}:[ab*?/:]{0,6})|[a*:]{0,6}",
            arn in "(arn:a{0,1}:[ab]{0,3}:a{0,2}:1{0,2}:[ab/:]{0,6})|[a:]{0,6}",
        ) {
            prop_assert_eq!(arn_matches(&pattern, &arn), reference_arn(&pattern, &arn));
        }
    }
}
