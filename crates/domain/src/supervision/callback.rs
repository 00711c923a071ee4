//! The callback (回访): a supervisor phones the requester of a drawn request and asks
//! four questions. Calls that do not reach anyone are tried again, up to a limit.

use serde::{Deserialize, Serialize};

use super::Refused;
use crate::request::vocabulary;

vocabulary! {
    /// The four questions of the callback script, in the order they are asked: 来源于群众？
    /// (the problem really was raised by this person), 措施群众知晓？ (the requester knows
    /// what was done), 结果已反馈？ (the result was reported back), 群众满意？
    Question {
        FromPublic = "from_public",
        MeasuresKnown = "measures_known",
        ResultFedBack = "result_fed_back",
        Satisfied = "satisfied",
    }
}

/// The answers of a call that reached the requester; `true` is the good answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answers {
    pub from_public: bool,
    pub measures_known: bool,
    pub result_fed_back: bool,
    pub satisfied: bool,
}

impl Answers {
    pub fn get(&self, question: Question) -> bool {
        match question {
            Question::FromPublic => self.from_public,
            Question::MeasuresKnown => self.measures_known,
            Question::ResultFedBack => self.result_fed_back,
            Question::Satisfied => self.satisfied,
        }
    }

    /// The questions answered "no". Any of them is a problem with the work, and opens a
    /// rework order for the unit.
    pub fn failing(&self) -> Vec<Question> {
        Question::ALL.iter().copied().filter(|q| !self.get(*q)).collect()
    }
}

/// One call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum AttemptResult {
    /// Nobody answered, a wrong number, busy: try again later.
    NotReached,
    Reached(Answers),
}

vocabulary! {
    /// Where a drawn request's callback stands: not called yet (`pending`), called but
    /// not reached and to be tried again (`retry`), reached and answered (`reached`), or
    /// not reached on every allowed try (`unreachable`), which counts against the rate.
    CallbackState {
        Pending = "pending",
        Retry = "retry",
        Reached = "reached",
        Unreachable = "unreachable",
    }
}

/// Calls a callback may take before the requester counts as unreachable.
pub const MAX_ATTEMPTS: i64 = 3;

impl CallbackState {
    pub fn is_finished(self) -> bool {
        matches!(self, CallbackState::Reached | CallbackState::Unreachable)
    }

    /// The state after one more call, when `attempts` calls were made before it.
    pub fn after(self, attempts: i64, result: &AttemptResult) -> Result<CallbackState, Refused> {
        if self.is_finished() {
            return Err(Refused::CallbackFinished);
        }
        Ok(match result {
            AttemptResult::Reached(_) => CallbackState::Reached,
            AttemptResult::NotReached if attempts + 1 >= MAX_ATTEMPTS => CallbackState::Unreachable,
            AttemptResult::NotReached => CallbackState::Retry,
        })
    }
}

/// The callback rate (回访率): callbacks that reached the requester ÷ callbacks sampled.
pub fn callback_rate(reached: i64, sampled: i64) -> Option<f64> {
    crate::measures::rate(reached, sampled)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_YES: Answers =
        Answers { from_public: true, measures_known: true, result_fed_back: true, satisfied: true };

    #[test]
    fn a_no_on_any_question_fails_the_callback() {
        assert!(ALL_YES.failing().is_empty());
        let not_fed_back = Answers { result_fed_back: false, ..ALL_YES };
        assert_eq!(not_fed_back.failing(), vec![Question::ResultFedBack]);
        let fabricated = Answers { from_public: false, satisfied: false, ..ALL_YES };
        assert_eq!(fabricated.failing(), vec![Question::FromPublic, Question::Satisfied]);
    }

    #[test]
    fn unanswered_calls_are_retried_until_the_limit() {
        let missed = AttemptResult::NotReached;
        assert_eq!(CallbackState::Pending.after(0, &missed), Ok(CallbackState::Retry));
        assert_eq!(CallbackState::Retry.after(1, &missed), Ok(CallbackState::Retry));
        assert_eq!(CallbackState::Retry.after(MAX_ATTEMPTS - 1, &missed), Ok(CallbackState::Unreachable));
        assert_eq!(CallbackState::Retry.after(1, &AttemptResult::Reached(ALL_YES)), Ok(CallbackState::Reached));
        assert_eq!(CallbackState::Reached.after(1, &missed), Err(Refused::CallbackFinished));
        assert_eq!(CallbackState::Unreachable.after(3, &missed), Err(Refused::CallbackFinished));
    }

    #[test]
    fn the_callback_rate_counts_reached_over_sampled() {
        assert_eq!(callback_rate(3, 4), Some(0.75));
        assert_eq!(callback_rate(0, 0), None);
    }
}
