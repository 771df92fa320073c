// Moves focus to the error summary of a form that failed, so that a screen reader reads the
// problems first and a keyboard user starts from their links. Without this script the summary
// is still the first thing in the main content; nothing else depends on it.
(() => {
  const summary = document.querySelector('.error-summary');
  if (summary instanceof HTMLElement) summary.focus();
})();
