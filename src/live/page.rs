//! The page a browser loads to ask for one path several times in a row (the second-request
//! group's way into a browser, see [`chromium`](super::chromium)). The scripted server serves
//! it at [`REPEAT_PAGE`] for scenarios answered by path; it is not recorded as a request of
//! the scenario.

/// Path of the page a browser loads to ask for one path several times (see [`repeat_page`]).
pub const REPEAT_PAGE: &str = "/__redirspec/repeat";

/// Requests a [`REPEAT_PAGE`] may ask for at most.
pub const MAX_REPEAT: u32 = 5;

/// The answer to a request for [`REPEAT_PAGE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageAnswer {
    /// The page's HTML.
    Page(String),
    /// `n` or `path` is missing or out of bounds: answered `400`.
    BadParameters,
}

/// For `REPEAT_PAGE?n=N&path=P`: [`PageAnswer::Page`], a page whose script fetches `P` (a
/// same-origin absolute path of letters, digits and `/_.-`) `N` times in a row (1 to
/// [`MAX_REPEAT`]), each with `fetch`'s default cache mode, and then writes the statuses it got
/// into the title (`redirspec: 200 200`, or `error` for a failed fetch);
/// [`PageAnswer::BadParameters`] for that path with bad parameters; `None` for any other
/// target.
pub fn repeat_page(target: &str) -> Option<PageAnswer> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != REPEAT_PAGE {
        return None;
    }
    let mut n = None;
    let mut fetch = None;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("n", v)) => {
                n = v
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=MAX_REPEAT).contains(n))
            }
            Some(("path", v)) => {
                let ok = v.starts_with('/')
                    && v.len() <= 200
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"/_.-".contains(&b));
                fetch = ok.then(|| v.to_owned());
            }
            _ => {}
        }
    }
    let (Some(n), Some(fetch)) = (n, fetch) else {
        return Some(PageAnswer::BadParameters);
    };
    Some(PageAnswer::Page(format!(
        "<!DOCTYPE html><html><head><title>redirspec: waiting</title><script>\n\
         (async () => {{\n\
         \x20 const seen = [];\n\
         \x20 for (let i = 0; i < {n}; i++) {{\n\
         \x20   try {{ const r = await fetch(\"{fetch}\"); await r.arrayBuffer(); seen.push(r.status); }}\n\
         \x20   catch (e) {{ seen.push(\"error\"); }}\n\
         \x20 }}\n\
         \x20 document.title = \"redirspec: \" + seen.join(\" \");\n\
         }})();\n\
         </script></head><body></body></html>\n"
    )))
}

/// Path of the page a browser loads in a frame on a scenario's origin to run one scenario
/// with `fetch` (see [`browser`](super::browser)). Served for every scenario, never recorded.
pub const FETCH_PAGE: &str = "/__redirspec/fetch-page";

/// The page at [`FETCH_PAGE`]: it waits for one job posted by its parent window
/// (`{id, method, path, headers, body}`), runs `fetch(path, {method, headers, body,
/// redirect: "follow", cache: "no-store"})`, reads the response to its end and posts the
/// outcome back (`{id, kind: "delivered", status}` or `{id, kind: "failed", message}`).
pub const FETCH_PAGE_HTML: &str = "<!DOCTYPE html><html><head><title>redirspec frame</title><script>\n\
window.addEventListener('message', async (ev) => {\n\
  const job = ev.data;\n\
  if (!job || typeof job.id !== 'number') return;\n\
  const init = { method: job.method, headers: job.headers, redirect: 'follow', cache: 'no-store' };\n\
  if (job.body !== null) init.body = job.body;\n\
  let answer;\n\
  try {\n\
    const r = await fetch(job.path, init);\n\
    await r.arrayBuffer();\n\
    answer = { id: job.id, kind: 'delivered', status: r.status, redirected: r.redirected };\n\
  } catch (e) {\n\
    answer = { id: job.id, kind: 'failed', message: String(e && e.message ? e.message : e) };\n\
  }\n\
  ev.source.postMessage(answer, '*');\n\
});\n\
</script></head><body></body></html>\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeat_page_checks_its_parameters() {
        let Some(PageAnswer::Page(page)) = repeat_page("/__redirspec/repeat?n=2&path=/s/start")
        else {
            panic!("a page");
        };
        assert!(page.contains("i < 2"), "{page}");
        assert!(page.contains("fetch(\"/s/start\")"), "{page}");
        assert_eq!(
            repeat_page("/__redirspec/repeat?n=9&path=/s"),
            Some(PageAnswer::BadParameters)
        );
        assert_eq!(
            repeat_page("/__redirspec/repeat?n=2&path=/s\"x"),
            Some(PageAnswer::BadParameters)
        );
        assert_eq!(
            repeat_page("/__redirspec/repeat?n=2&path=s"),
            Some(PageAnswer::BadParameters)
        );
        assert_eq!(repeat_page("/other?n=2&path=/s"), None);
    }
}
