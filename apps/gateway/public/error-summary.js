// Moves focus to the error summary of a form that failed, so that a screen reader reads the
// problems first and a keyboard user starts from their links. Without this script the summary
// is still the first thing in the main content; nothing else depends on it.
//
// A link in the summary then moves to its field. Followed as a plain link, the browser scrolls the
// field itself to the top of the window, leaving its question (the label or the legend) and its
// message above it, out of sight: instead the question is scrolled into view and the field focused
// without scrolling again (as GOV.UK Frontend's error summary does).
(() => {
  const summary = document.querySelector('.error-summary');
  if (!(summary instanceof HTMLElement)) return;
  summary.focus();

  /** The question a field answers: its fieldset's legend (a radio or checkbox, or a legend near it), or its label. */
  const questionOf = (field) => {
    const fieldset = field.closest('fieldset');
    const legend = fieldset?.querySelector('legend');
    const label = document.querySelector(`label[for="${CSS.escape(field.id)}"]`) ?? field.closest('label');
    if (legend && (field.type === 'radio' || field.type === 'checkbox' || !label)) return legend;
    if (legend && label) {
      // A field inside a fieldset: the legend too, if it still leaves the label on screen.
      const distance = label.getBoundingClientRect().top - legend.getBoundingClientRect().top;
      return distance < window.innerHeight / 2 ? legend : label;
    }
    return label;
  };

  summary.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[href^="#"]') : null;
    if (!(link instanceof HTMLAnchorElement)) return;
    const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (
      !(field instanceof HTMLInputElement || field instanceof HTMLSelectElement || field instanceof HTMLTextAreaElement)
    )
      return;
    const question = questionOf(field);
    if (!question) return;
    event.preventDefault();
    question.scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
