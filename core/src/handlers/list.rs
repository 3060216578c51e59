//! One ordered, fixed-capacity list of named handlers (Go v1 `request.HandlerList`).

use core::fmt;

use super::{Handler, NamedHandler, Phase, Request};
use crate::limits::MAX_HANDLERS_PER_LIST;

/// The name Go v1 gives handlers pushed without one (`PushBack`, `PushFront`).
pub const ANONYMOUS: &str = "__anonymous";

/// A push was refused because the list is full. The list is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ListFullError {
    /// The list that is full.
    pub list: Phase,
    /// Its capacity ([`MAX_HANDLERS_PER_LIST`] unless a list was declared with another).
    pub limit: usize,
    /// The handler that did not fit.
    pub handler: &'static str,
}

impl fmt::Display for ListFullError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "handler list {} is full (limit {}): cannot add handler \"{}\"",
            self.list, self.limit, self.handler
        )
    }
}

impl core::error::Error for ListFullError {}

/// What [`AfterEach::Custom`] is shown after each handler (Go v1 `HandlerListRunItem`).
#[derive(Debug)]
pub struct RunItem<'r, 'a> {
    /// Position of the handler that just ran.
    pub index: usize,
    /// The handler that just ran.
    pub handler: &'r NamedHandler,
    /// The request after it ran.
    pub request: &'r Request<'a>,
}

/// What a list does after each handler (Go v1 `AfterEachFn`).
#[derive(Clone, Copy)]
pub enum AfterEach {
    /// Run every handler (Go v1: no `AfterEachFn`).
    RunAll,
    /// Stop after a handler that left an error (Go v1 `HandlerListStopOnError`; Validate, Build).
    StopOnError,
    /// Ask a function; `false` stops the list.
    Custom(fn(&RunItem<'_, '_>) -> bool),
}

impl AfterEach {
    fn proceed(&self, item: &RunItem<'_, '_>) -> bool {
        match self {
            AfterEach::RunAll => true,
            AfterEach::StopOnError => item.request.error.is_none(),
            AfterEach::Custom(f) => f(item),
        }
    }
}

impl PartialEq for AfterEach {
    /// Policies compare by kind: any two `Custom` policies are equal. Their functions are not
    /// compared, because Rust does not promise that a function has one address (the same function
    /// may give different pointers in different codegen units, and Miri gives a new one each time a
    /// pointer is taken), so an address comparison could call a policy unequal to itself.
    fn eq(&self, other: &Self) -> bool {
        matches!(
            (self, other),
            (AfterEach::RunAll, AfterEach::RunAll)
                | (AfterEach::StopOnError, AfterEach::StopOnError)
                | (AfterEach::Custom(_), AfterEach::Custom(_))
        )
    }
}

impl fmt::Debug for AfterEach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AfterEach::RunAll => "RunAll",
            AfterEach::StopOnError => "StopOnError",
            AfterEach::Custom(_) => "Custom",
        })
    }
}

/// An ordered list of at most `N` named handlers for one [`Phase`], with the Go v1 operations.
///
/// Every push checks for room first: a full list returns [`ListFullError`] and is unchanged.
/// Operations by name (`remove_by_name`, `swap_named`, `swap`) affect every entry with that name.
#[derive(Clone)]
pub struct HandlerList<const N: usize = MAX_HANDLERS_PER_LIST> {
    phase: Phase,
    after_each: AfterEach,
    items: heapless::Vec<NamedHandler, N>,
}

impl<const N: usize> fmt::Debug for HandlerList<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.phase)?;
        f.debug_list().entries(self.names()).finish()
    }
}

impl<const N: usize> HandlerList<N> {
    /// An empty list for `phase`, with that phase's Go v1 after-each policy.
    pub const fn new(phase: Phase) -> Self {
        HandlerList {
            phase,
            after_each: phase.default_after_each(),
            items: heapless::Vec::new(),
        }
    }

    /// The phase this list belongs to (named in overflow errors).
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The after-each policy.
    pub fn after_each(&self) -> AfterEach {
        self.after_each
    }

    /// Replaces the after-each policy.
    pub fn set_after_each(&mut self, policy: AfterEach) {
        self.after_each = policy;
    }

    /// Number of handlers.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The capacity `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// The handlers in run order.
    pub fn iter(&self) -> impl Iterator<Item = &NamedHandler> + '_ {
        self.items.iter()
    }

    /// The handler names in run order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.items.iter().map(|h| h.name)
    }

    fn full(&self, handler: &'static str) -> ListFullError {
        ListFullError {
            list: self.phase,
            limit: N,
            handler,
        }
    }

    /// Adds an anonymous function handler at the end (Go v1 `PushBack`).
    ///
    /// # Errors
    /// [`ListFullError`] when the list holds `N` handlers already.
    pub fn push_back(&mut self, f: fn(&mut Request<'_>)) -> Result<(), ListFullError> {
        self.push_back_named(NamedHandler::new(ANONYMOUS, f))
    }

    /// Adds an anonymous function handler at the front (Go v1 `PushFront`).
    ///
    /// # Errors
    /// [`ListFullError`] when the list holds `N` handlers already.
    pub fn push_front(&mut self, f: fn(&mut Request<'_>)) -> Result<(), ListFullError> {
        self.push_front_named(NamedHandler::new(ANONYMOUS, f))
    }

    /// Adds a named handler at the end (Go v1 `PushBackNamed`).
    ///
    /// # Errors
    /// [`ListFullError`] when the list holds `N` handlers already.
    pub fn push_back_named(&mut self, h: NamedHandler) -> Result<(), ListFullError> {
        self.items.push(h).map_err(|h| self.full(h.name))
    }

    /// Adds a named handler at the front (Go v1 `PushFrontNamed`).
    ///
    /// # Errors
    /// [`ListFullError`] when the list holds `N` handlers already.
    pub fn push_front_named(&mut self, h: NamedHandler) -> Result<(), ListFullError> {
        self.items.insert(0, h).map_err(|h| self.full(h.name))
    }

    /// Removes every handler named like `h` (Go v1 `Remove`, which matches by name only).
    /// Returns how many were removed.
    pub fn remove(&mut self, h: &NamedHandler) -> usize {
        self.remove_by_name(h.name)
    }

    /// Removes every handler called `name` (Go v1 `RemoveByName`). Returns how many were removed.
    pub fn remove_by_name(&mut self, name: &str) -> usize {
        let before = self.items.len();
        self.items.retain(|h| h.name != name);
        before.saturating_sub(self.items.len())
    }

    /// Replaces the code of every handler named like `h`, keeping positions (Go v1 `SwapNamed`).
    /// Returns whether any was replaced.
    pub fn swap_named(&mut self, h: NamedHandler) -> bool {
        self.replace_where(h.name, |entry| entry.handler = h.handler)
    }

    /// Replaces every handler called `name` with `h` — name and code (Go v1 `Swap`). Returns
    /// whether any was replaced.
    pub fn swap(&mut self, name: &str, h: NamedHandler) -> bool {
        self.replace_where(name, |entry| *entry = h)
    }

    fn replace_where(&mut self, name: &str, mut apply: impl FnMut(&mut NamedHandler)) -> bool {
        let mut swapped = false;
        for entry in self.items.iter_mut().filter(|e| e.name == name) {
            apply(entry);
            swapped = true;
        }
        swapped
    }

    /// Swaps in `h` by name, or adds it at the end when no handler has its name (Go v1
    /// `SetBackNamed`).
    ///
    /// # Errors
    /// [`ListFullError`] when it must be added and the list is full.
    pub fn set_back_named(&mut self, h: NamedHandler) -> Result<(), ListFullError> {
        if self.swap_named(h) {
            return Ok(());
        }
        self.push_back_named(h)
    }

    /// Swaps in `h` by name, or adds it at the front when no handler has its name (Go v1
    /// `SetFrontNamed`).
    ///
    /// # Errors
    /// [`ListFullError`] when it must be added and the list is full.
    pub fn set_front_named(&mut self, h: NamedHandler) -> Result<(), ListFullError> {
        if self.swap_named(h) {
            return Ok(());
        }
        self.push_front_named(h)
    }

    /// Removes every handler (the policy is kept).
    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// A copy with its own storage (Go v1 `copy`); the same as `clone`.
    pub fn copy(&self) -> Self {
        self.clone()
    }

    /// Runs the handlers in order on `request`, asking the after-each policy after each one
    /// (Go v1 `Run`). Returns how many handlers ran.
    pub fn run(&self, request: &mut Request<'_>) -> usize {
        let mut ran = 0usize;
        for (index, handler) in self.items.iter().enumerate() {
            handler.handler.call(request);
            ran = ran.saturating_add(1);
            let item = RunItem {
                index,
                handler,
                request,
            };
            if !self.after_each.proceed(&item) {
                break;
            }
        }
        ran
    }

    /// Runs the handlers from index `from` on, like [`HandlerList::run`], but stops at the first
    /// exchange entry ([`Handler::is_exchange`]) without running it; returns its index (`None` when the list ran to its end
    /// or its policy stopped it).
    pub(crate) fn run_to_exchange(&self, from: usize, request: &mut Request<'_>) -> Option<usize> {
        for (index, handler) in self.items.iter().enumerate().skip(from) {
            if handler.handler.is_exchange() {
                return Some(index);
            }
            handler.handler.call(request);
            let item = RunItem {
                index,
                handler,
                request,
            };
            if !self.after_each.proceed(&item) {
                return None;
            }
        }
        None
    }

    /// The handler at `index`, if any.
    pub fn get(&self, index: usize) -> Option<&NamedHandler> {
        self.items.get(index)
    }

    /// True when a handler called `name` is in the list.
    pub fn contains(&self, name: &str) -> bool {
        self.items.iter().any(|h| h.name == name)
    }

    /// The code of the first handler called `name`.
    pub fn find(&self, name: &str) -> Option<Handler> {
        self.items
            .iter()
            .find(|h| h.name == name)
            .map(|h| h.handler)
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::handlers::{Handlers, RequestError, RequestHandler};
    use core::sync::atomic::{AtomicU32, Ordering};
    use heapless::Vec;

    /// Trace of handler labels, carried in the request's data slot.
    type Labels = Vec<&'static str, 16>;

    fn label(r: &mut Request<'_>, l: &'static str) {
        if let Some(t) = r.data_mut::<Labels>() {
            let _ = t.push(l);
        }
    }
    fn a(r: &mut Request<'_>) {
        label(r, "a")
    }
    fn b(r: &mut Request<'_>) {
        label(r, "b")
    }
    fn c(r: &mut Request<'_>) {
        label(r, "c")
    }
    fn z(r: &mut Request<'_>) {
        label(r, "z")
    }
    fn fails(r: &mut Request<'_>) {
        label(r, "fails");
        r.fail("Boom");
    }

    #[inline(never)]
    fn run_list<const N: usize>(list: &HandlerList<N>, start_with_error: bool) -> Labels {
        let mut labels = Labels::new();
        {
            let mut r = Request::new("Op");
            r.set_data(&mut labels);
            if start_with_error {
                r.error = Some(RequestError::Status { status: 500 });
            }
            list.run(&mut r);
        }
        labels
    }

    fn names<const N: usize>(l: &HandlerList<N>) -> Vec<&'static str, N> {
        l.names().collect()
    }

    selftests! {
        fn push_back_and_front_order() {
            let mut l = HandlerList::<8>::new(Phase::Build);
            l.push_back_named(NamedHandler::new("b", b)).unwrap();
            l.push_back_named(NamedHandler::new("c", c)).unwrap();
            l.push_front_named(NamedHandler::new("a", a)).unwrap();
            assert_eq!(names(&l).as_slice(), &["a", "b", "c"]);
            assert_eq!(run_list(&l, false).as_slice(), &["a", "b", "c"]);
        }

        fn anonymous_pushes_use_go_name() {
            let mut l = HandlerList::<8>::new(Phase::Send);
            l.push_back(b).unwrap();
            l.push_front(a).unwrap();
            assert_eq!(names(&l).as_slice(), &[ANONYMOUS, ANONYMOUS]);
            assert_eq!(ANONYMOUS, "__anonymous");
            assert_eq!(run_list(&l, false).as_slice(), &["a", "b"]);
        }

        fn remove_by_name_removes_every_duplicate() {
            let mut l = HandlerList::<8>::new(Phase::Sign);
            l.push_back_named(NamedHandler::new("dup", a)).unwrap();
            l.push_back_named(NamedHandler::new("keep", b)).unwrap();
            l.push_back_named(NamedHandler::new("dup", c)).unwrap();
            l.push_front_named(NamedHandler::new("dup", z)).unwrap();
            assert_eq!(l.remove_by_name("dup"), 3);
            assert_eq!(names(&l).as_slice(), &["keep"]);
            assert_eq!(l.remove_by_name("absent"), 0);
            assert_eq!(l.len(), 1);
        }

        fn remove_matches_by_name_only() {
            let mut l = HandlerList::<8>::new(Phase::Sign);
            l.push_back_named(NamedHandler::new("x", a)).unwrap();
            l.push_back_named(NamedHandler::new("y", b)).unwrap();
            // Same name, other code: Go v1 `Remove` still removes it.
            assert_eq!(l.remove(&NamedHandler::new("x", c)), 1);
            assert_eq!(names(&l).as_slice(), &["y"]);
        }

        fn swap_named_replaces_code_of_all_same_name_entries() {
            let mut l = HandlerList::<8>::new(Phase::Unmarshal);
            l.push_back_named(NamedHandler::new("n", a)).unwrap();
            l.push_back_named(NamedHandler::new("other", b)).unwrap();
            l.push_back_named(NamedHandler::new("n", a)).unwrap();
            assert!(l.swap_named(NamedHandler::new("n", z)));
            assert_eq!(names(&l).as_slice(), &["n", "other", "n"]);
            assert_eq!(run_list(&l, false).as_slice(), &["z", "b", "z"]);
            assert!(!l.swap_named(NamedHandler::new("missing", c)));
            assert_eq!(l.len(), 3);
        }

        fn swap_replaces_name_and_code() {
            let mut l = HandlerList::<8>::new(Phase::Unmarshal);
            l.push_back_named(NamedHandler::new("old", a)).unwrap();
            l.push_back_named(NamedHandler::new("mid", b)).unwrap();
            assert!(l.swap("old", NamedHandler::new("new", c)));
            assert_eq!(names(&l).as_slice(), &["new", "mid"]);
            assert_eq!(run_list(&l, false).as_slice(), &["c", "b"]);
            assert!(!l.swap("old", NamedHandler::new("again", c)));
        }

        fn set_back_and_front_named_swap_else_insert() {
            let mut l = HandlerList::<8>::new(Phase::Complete);
            l.push_back_named(NamedHandler::new("m", b)).unwrap();
            l.set_back_named(NamedHandler::new("end", c)).unwrap();
            l.set_front_named(NamedHandler::new("start", a)).unwrap();
            assert_eq!(names(&l).as_slice(), &["start", "m", "end"]);
            // Present: swapped in place, no insert.
            l.set_back_named(NamedHandler::new("start", z)).unwrap();
            l.set_front_named(NamedHandler::new("end", z)).unwrap();
            assert_eq!(names(&l).as_slice(), &["start", "m", "end"]);
            assert_eq!(run_list(&l, false).as_slice(), &["z", "b", "z"]);
        }

        fn overflow_is_typed_and_leaves_list_intact() {
            let mut l = HandlerList::<3>::new(Phase::Validate);
            l.push_back_named(NamedHandler::new("1", a)).unwrap();
            l.push_back_named(NamedHandler::new("2", b)).unwrap();
            l.push_back_named(NamedHandler::new("3", c)).unwrap();
            let want = ListFullError { list: Phase::Validate, limit: 3, handler: "4" };
            assert_eq!(l.push_back_named(NamedHandler::new("4", z)), Err(want));
            assert_eq!(l.push_front_named(NamedHandler::new("4", z)), Err(want));
            assert_eq!(l.set_back_named(NamedHandler::new("4", z)), Err(want));
            assert_eq!(l.set_front_named(NamedHandler::new("4", z)), Err(want));
            let anon = ListFullError { list: Phase::Validate, limit: 3, handler: ANONYMOUS };
            assert_eq!(l.push_back(z), Err(anon));
            assert_eq!(l.push_front(z), Err(anon));
            assert_eq!(names(&l).as_slice(), &["1", "2", "3"]);
            assert_eq!(run_list(&l, false).as_slice(), &["a", "b", "c"]);
            // A full list still swaps by name.
            assert_eq!(l.set_back_named(NamedHandler::new("2", z)), Ok(()));
            assert_eq!(l.len(), 3);
        }

        fn overflow_message_names_list_and_limit() {
            use core::fmt::Write;
            let e = ListFullError { list: Phase::Sign, limit: 8, handler: "v4.SignRequestHandler" };
            let mut s = heapless::String::<128>::new();
            write!(s, "{e}").unwrap();
            assert!(s.contains("Sign"));
            assert!(s.contains("8"));
            assert!(s.contains("v4.SignRequestHandler"));
        }

        fn default_capacity_is_the_named_limit() {
            let mut l: HandlerList = HandlerList::new(Phase::Retry);
            assert_eq!(l.capacity(), MAX_HANDLERS_PER_LIST);
            for _ in 0..MAX_HANDLERS_PER_LIST {
                l.push_back(a).unwrap();
            }
            let err = l.push_back(a).unwrap_err();
            assert_eq!(err.limit, MAX_HANDLERS_PER_LIST);
            assert_eq!(err.list, Phase::Retry);
        }

        fn clear_len_is_empty() {
            let mut l = HandlerList::<4>::new(Phase::Build);
            assert!(l.is_empty());
            l.push_back(a).unwrap();
            l.push_back(b).unwrap();
            assert_eq!(l.len(), 2);
            l.clear();
            assert!(l.is_empty());
            assert_eq!(l.after_each(), AfterEach::StopOnError);
            assert!(!l.contains(ANONYMOUS));
        }

        fn copy_is_isolated() {
            let mut l = HandlerList::<4>::new(Phase::Build);
            l.push_back_named(NamedHandler::new("a", a)).unwrap();
            let mut c2 = l.copy();
            c2.push_back_named(NamedHandler::new("b", b)).unwrap();
            c2.swap("a", NamedHandler::new("z", z));
            assert_eq!(l.len(), 1);
            assert_eq!(names(&l).as_slice(), &["a"]);
            assert_eq!(names(&c2).as_slice(), &["z", "b"]);
        }

        fn stop_on_error_stops_after_failing_handler() {
            let mut l = HandlerList::<4>::new(Phase::Validate);
            l.push_back(a).unwrap();
            l.push_back(fails).unwrap();
            l.push_back(c).unwrap();
            assert_eq!(run_list(&l, false).as_slice(), &["a", "fails"]);
            // An error already present before the list ran also stops it after the first handler.
            assert_eq!(run_list(&l, true).as_slice(), &["a"]);
        }

        fn run_all_continues_after_error() {
            let mut l = HandlerList::<4>::new(Phase::Complete);
            l.push_back(a).unwrap();
            l.push_back(fails).unwrap();
            l.push_back(c).unwrap();
            assert_eq!(run_list(&l, false).as_slice(), &["a", "fails", "c"]);
            let mut r = Request::new("Op");
            assert_eq!(l.run(&mut r), 3);
        }

        fn custom_after_each_sees_index_and_name() {
            fn stop_after_b(item: &RunItem<'_, '_>) -> bool {
                item.handler.name != "b" && item.index < 5
            }
            let mut l = HandlerList::<4>::new(Phase::Send);
            l.set_after_each(AfterEach::Custom(stop_after_b));
            l.push_back_named(NamedHandler::new("a", a)).unwrap();
            l.push_back_named(NamedHandler::new("b", b)).unwrap();
            l.push_back_named(NamedHandler::new("c", c)).unwrap();
            assert_eq!(run_list(&l, false).as_slice(), &["a", "b"]);
            // By kind: comparing the function's address is not reliable (Miri found this).
            assert!(matches!(l.after_each(), AfterEach::Custom(_)));
            assert_ne!(l.after_each(), AfterEach::RunAll);
        }

        fn dyn_handlers_keep_state() {
            struct Counter(AtomicU32);
            impl RequestHandler for Counter {
                fn handle(&self, r: &mut Request<'_>) {
                    // load + store: thumbv6m has no atomic read-modify-write; this test is single-threaded.
                    self.0.store(self.0.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
                    label(r, "dyn");
                }
            }
            static COUNTER: Counter = Counter(AtomicU32::new(0));
            let mut h = Handlers::new();
            h.send.push_back_named(NamedHandler::with_dyn("counter", &COUNTER)).unwrap();
            h.send.push_back_named(NamedHandler::new("a", a)).unwrap();
            assert_eq!(run_list(&h.send, false).as_slice(), &["dyn", "a"]);
            assert_eq!(run_list(&h.send, false).as_slice(), &["dyn", "a"]);
            assert_eq!(COUNTER.0.load(Ordering::Relaxed), 2);
            assert!(matches!(h.send.find("counter"), Some(Handler::Dyn(_))));
            assert!(h.send.find("nope").is_none());
        }
    }
}
