// Shows the price as the buyer types, on the configure page. Without this script the
// "Update price" button does the same on the server; the server computes the price either way.
(() => {
  const form = document.querySelector('form[data-price-url]');
  const panel = document.getElementById('price-panel');
  if (!form || !panel) return;
  let timer;
  let latest = 0;

  function render(lines) {
    const list = document.createElement('dl');
    list.className = 'summary-list';
    for (const [key, value] of lines) {
      const row = document.createElement('div');
      row.className = 'summary-list__row';
      const dt = document.createElement('dt');
      dt.textContent = key;
      const dd = document.createElement('dd');
      dd.textContent = value;
      row.append(dt, dd);
      list.append(row);
    }
    const heading = panel.querySelector('h2');
    panel.replaceChildren(heading, list);
  }

  function message(text) {
    const heading = panel.querySelector('h2');
    const p = document.createElement('p');
    p.textContent = text;
    panel.replaceChildren(heading, p);
  }

  async function update() {
    const data = new FormData(form);
    const query = new URLSearchParams();
    for (const name of ['sizeTb', 'termYears', 'institutionId']) query.set(name, String(data.get(name) ?? ''));
    const request = ++latest;
    try {
      const response = await fetch(`${form.dataset.priceUrl}?${query}`, { headers: { accept: 'application/json' } });
      if (request !== latest) return;
      const body = await response.json();
      if (response.ok) render(body.lines);
      else
        message(Object.values(body.errors ?? {})[0] ?? 'Enter the size, the term and the department to see the price.');
    } catch {
      if (request === latest) message('The price could not be worked out just now; choose “Update price”.');
    }
  }

  form.addEventListener('input', (event) => {
    if (!['sizeTb', 'termYears', 'institutionId'].includes(event.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
})();
