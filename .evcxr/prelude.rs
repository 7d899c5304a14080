// Run by evcxr when the lesson's kernel starts.
//
// evcxr lets a kernel's cells use `?` only after a `?` has once failed to compile. When that
// first `?` sits in a cell's final expression (a chart), the same failure also makes evcxr show
// the value as Debug text instead of the chart. One `?` here settles it before any cell runs.
Ok::<(), std::fmt::Error>(())?;
