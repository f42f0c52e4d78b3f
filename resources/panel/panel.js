// The gateway panel in the browser: asks for the site's HTTP token once (kept in this
// browser's localStorage), reads the panel and its live changes from /panel/api/stream
// (server-sent events read with fetch, so the token travels in a header, never in a URL),
// draws pages as tabs and groups as cards, and sends presses to /panel/api/press.
// Plain script, no framework, nothing fetched from anywhere but this gateway.
'use strict';

(() => {
  const KEY = 'fieldgraph-panel-token';
  const PAGE_KEY = 'fieldgraph-panel-page';
  const $ = (id) => document.getElementById(id);
  const status = $('status');
  const tabs = $('tabs');
  const main = $('page');
  const login = $('login');
  const notices = $('notices');
  /** Per widget name: a function that shows a new state, and one that adds chart points. */
  let views = new Map();
  let panel = { pages: [] };
  let controller;
  let retry = 1000;

  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) if (c !== undefined && c !== null) node.append(c);
    return node;
  };
  const svg = (tag, attrs = {}) => {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  };

  const show = (value) => {
    if (value === undefined || value === null) return '–';
    if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(+value.toFixed(2));
    if (typeof value === 'string') return value;
    if (typeof value === 'boolean') return value ? 'on' : 'off';
    return JSON.stringify(value);
  };
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const ago = (at) => {
    const s = Math.round((Date.now() - at) / 1000);
    return s < 5 ? 'just now' : s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : new Date(at).toLocaleString();
  };

  const setStatus = (text, kind = '') => {
    status.textContent = text;
    status.className = kind;
  };
  const notice = (text, kind = '') => {
    const item = el('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
    notices.append(item);
    setTimeout(() => item.remove(), kind === 'error' ? 6000 : 8000);
  };

  const askToken = (message) => {
    controller?.abort();
    login.hidden = false;
    main.hidden = true;
    tabs.hidden = true;
    $('forget').hidden = true;
    $('login-error').textContent = message || '';
    setStatus('Locked');
    $('token').focus();
  };
  login.addEventListener('submit', (event) => {
    event.preventDefault();
    localStorage.setItem(KEY, $('token').value.trim());
    $('token').value = '';
    login.hidden = true;
    connect();
  });
  $('forget').addEventListener('click', () => {
    localStorage.removeItem(KEY);
    askToken('');
  });

  const api = (path, init = {}) =>
    fetch(path, {
      ...init,
      cache: 'no-store',
      headers: { ...(init.headers || {}), authorization: `Bearer ${localStorage.getItem(KEY)}` },
    });
  const errorOf = async (response) => {
    try {
      const body = await response.json();
      return body.error?.message || `The gateway answered ${response.status}.`;
    } catch {
      return `The gateway answered ${response.status}.`;
    }
  };

  const press = async (widget, value) => {
    try {
      const response = await api('/panel/api/press', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ widget: widget.name, value }),
      });
      if (response.status === 401) return askToken(await errorOf(response));
      if (!response.ok) notice(await errorOf(response), 'error');
    } catch {
      notice('The gateway cannot be reached; the press was not sent.', 'error');
    }
  };

  // ---- widgets ----------------------------------------------------------------------------

  const control = (w) => {
    const s = w.settings;
    let state = w.state?.value;
    switch (w.kind) {
      case 'button': {
        const button = el('button', { type: 'button', class: 'press', onclick: () => press(w, s.value) }, w.label);
        return { node: button, set: () => {} };
      }
      case 'switch': {
        const button = el('button', { type: 'button', role: 'switch', class: 'switch', 'aria-label': w.label });
        const set = (value) => {
          state = value;
          button.setAttribute('aria-checked', String(same(value, s.on)));
        };
        button.addEventListener('click', () => press(w, same(state, s.on) ? s.off : s.on));
        set(state);
        return { node: el('div', { class: 'row' }, el('span', { class: 'label' }, w.label), button), set };
      }
      case 'slider':
      case 'number': {
        const input = el('input', {
          type: w.kind === 'slider' ? 'range' : 'number',
          min: s.min,
          max: s.max,
          step: s.step,
          'aria-label': w.label,
          inputmode: 'decimal',
        });
        const out = el('output', { class: 'value' });
        const set = (value) => {
          if (typeof value !== 'number') return;
          input.value = String(value);
          out.textContent = show(value);
        };
        input.addEventListener('input', () => (out.textContent = show(Number(input.value))));
        input.addEventListener('change', () => {
          if (input.value !== '' && input.checkValidity()) press(w, Number(input.value));
          else notice(`${w.label}: enter a number from ${s.min} to ${s.max}.`, 'error');
        });
        set(typeof state === 'number' ? state : w.kind === 'slider' ? s.min : undefined);
        if (typeof state !== 'number') out.textContent = '–';
        return {
          node: el('div', { class: `row ${w.kind}` }, el('span', { class: 'label' }, w.label), input, out),
          set,
        };
      }
      case 'dropdown': {
        const select = el('select', { 'aria-label': w.label }, el('option', { value: '', disabled: true }, 'Choose…'));
        (s.options || []).forEach((o, i) => select.append(el('option', { value: String(i) }, o.label)));
        const set = (value) => {
          const index = (s.options || []).findIndex((o) => same(o.value, value));
          select.value = index < 0 ? '' : String(index);
        };
        select.addEventListener('change', () => press(w, s.options[Number(select.value)].value));
        set(state);
        return { node: el('div', { class: 'row' }, el('span', { class: 'label' }, w.label), select), set };
      }
      case 'text': {
        const input = el('input', { type: 'text', maxlength: 4096, 'aria-label': w.label, enterkeyhint: 'send' });
        const form = el(
          'form',
          {
            class: 'row text',
            onsubmit: (event) => {
              event.preventDefault();
              press(w, input.value);
            },
          },
          el('span', { class: 'label' }, w.label),
          input,
          el('button', { type: 'submit' }, 'Send'),
        );
        const set = (value) => {
          if (typeof value === 'string' && document.activeElement !== input) input.value = value;
        };
        set(state);
        return { node: form, set };
      }
    }
    return { node: el('div', {}, w.label), set: () => {} };
  };

  const gauge = (w) => {
    const { min, max, unit } = w.settings;
    const box = svg('svg', { viewBox: '0 0 120 70', class: 'gauge', 'aria-hidden': 'true' });
    const arc = 'M10 60 A50 50 0 0 1 110 60';
    box.append(svg('path', { d: arc, class: 'track', pathLength: '100' }));
    const bar = svg('path', { d: arc, class: 'bar', pathLength: '100', 'stroke-dasharray': '0 100' });
    box.append(bar);
    const value = el('div', { class: 'reading' });
    const set = (v) => {
      const share = Math.max(0, Math.min(1, (v - min) / (max - min || 1)));
      bar.setAttribute('stroke-dasharray', `${(share * 100).toFixed(1)} 100`);
      value.textContent = `${show(v)}${unit ? ` ${unit}` : ''}`;
    };
    set(w.state?.value ?? min);
    if (w.state === undefined) value.textContent = '–';
    const scale = el('div', { class: 'scale' }, el('span', {}, show(min)), el('span', {}, show(max)));
    return { node: el('div', { class: 'gauge-box' }, box, value, scale), set };
  };

  const chart = (w) => {
    const keep = w.settings.points || 100;
    const points = [...(w.points || [])];
    const box = svg('svg', { viewBox: '0 0 300 90', preserveAspectRatio: 'none', class: 'chart', 'aria-hidden': 'true' });
    const line = svg('polyline', { class: 'line' });
    box.append(line);
    const last = el('div', { class: 'reading' });
    const range = el('div', { class: 'scale' });
    const draw = () => {
      if (points.length === 0) return void (last.textContent = '–');
      const values = points.map((p) => p.value);
      const lo = Math.min(...values);
      const hi = Math.max(...values);
      const span = hi - lo || 1;
      const step = points.length > 1 ? 300 / (points.length - 1) : 0;
      line.setAttribute(
        'points',
        points.map((p, i) => `${(i * step).toFixed(1)},${(85 - ((p.value - lo) / span) * 80).toFixed(1)}`).join(' '),
      );
      const unit = w.settings.unit ? ` ${w.settings.unit}` : '';
      last.textContent = `${show(values[values.length - 1])}${unit}`;
      range.replaceChildren(el('span', {}, `min ${show(lo)}`), el('span', {}, `max ${show(hi)}`));
    };
    draw();
    const add = (p) => {
      points.push(p);
      if (points.length > keep) points.splice(0, points.length - keep);
      draw();
    };
    return { node: el('div', { class: 'chart-box' }, last, box, range), add };
  };

  const reading = (w) => {
    const value = el('div', { class: 'reading' });
    const when = el('div', { class: 'when' });
    const set = (v, at) => {
      value.textContent = `${show(v)}${w.settings.unit ? ` ${w.settings.unit}` : ''}`;
      when.textContent = at ? ago(at) : '';
      when.dataset.at = at || '';
    };
    set(w.state?.value, w.state?.at);
    return { node: el('div', {}, value, when), set };
  };

  const widget = (w) => {
    if (w.kind === 'notice') return undefined;
    const view = w.control ? control(w) : w.kind === 'gauge' ? gauge(w) : w.kind === 'chart' ? chart(w) : reading(w);
    views.set(w.name, view);
    // A control names itself (its button text, or the label beside it); a reading gets a title.
    return el(
      'div',
      { class: `widget ${w.kind}`, 'data-widget': w.name },
      w.control ? undefined : el('div', { class: 'label' }, w.label),
      view.node,
    );
  };

  // ---- pages --------------------------------------------------------------------------------

  const render = () => {
    views = new Map();
    const pages = panel.pages;
    const wanted = localStorage.getItem(PAGE_KEY);
    const current = pages.find((p) => p.name === wanted) || pages[0];
    tabs.replaceChildren(
      ...pages.map((p) =>
        el(
          'button',
          {
            type: 'button',
            role: 'tab',
            'aria-selected': String(p === current),
            onclick: () => {
              localStorage.setItem(PAGE_KEY, p.name);
              render();
            },
          },
          p.name,
        ),
      ),
    );
    tabs.hidden = pages.length < 2;
    if (!current) {
      main.replaceChildren(el('p', { class: 'empty' }, 'Nothing is on the panel yet.'));
      return;
    }
    main.replaceChildren(
      ...current.groups.map((g) => {
        const items = g.widgets.map(widget).filter(Boolean);
        return items.length ? el('section', { class: 'card' }, el('h2', {}, g.name), ...items) : undefined;
      }).filter(Boolean),
    );
    // Widgets on other pages still get their values: keep them in the snapshot.
  };

  const findWidget = (name) => {
    for (const p of panel.pages) for (const g of p.groups) for (const w of g.widgets) if (w.name === name) return w;
    return undefined;
  };

  const apply = (update) => {
    for (const v of update.values) {
      const w = findWidget(v.widget);
      if (w) w.state = { value: v.value, at: v.at };
      views.get(v.widget)?.set?.(v.value, v.at);
    }
    for (const p of update.points) {
      const w = findWidget(p.widget);
      if (w) {
        w.points = [...(w.points || []), { value: p.value, at: p.at }].slice(-(w.settings.points || 100));
      }
      views.get(p.widget)?.add?.({ value: p.value, at: p.at });
    }
    for (const n of update.notices) notice(`${n.label}: ${show(n.value)}`);
  };

  // ---- the live stream ----------------------------------------------------------------------

  const connect = async () => {
    if (!localStorage.getItem(KEY)) return askToken('');
    controller?.abort();
    controller = new AbortController();
    const mine = controller;
    setStatus('Connecting…');
    try {
      const response = await api('/panel/api/stream', { signal: mine.signal });
      if (response.status === 401) return askToken(await errorOf(response));
      if (!response.ok || !response.body) {
        setStatus(await errorOf(response), 'error');
        return later();
      }
      login.hidden = true;
      main.hidden = false;
      $('forget').hidden = false;
      setStatus('Live', 'live');
      retry = 1000;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!event || data === undefined) continue;
          if (event === 'panel') {
            panel = JSON.parse(data);
            render();
          } else if (event === 'update') apply(JSON.parse(data));
        }
      }
      setStatus('Reconnecting…', 'error');
    } catch {
      if (mine.signal.aborted) return;
      setStatus('The gateway cannot be reached; retrying…', 'error');
    }
    later();
  };
  const later = () => {
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 15000);
  };

  setInterval(() => {
    for (const node of document.querySelectorAll('.when[data-at]'))
      if (node.dataset.at) node.textContent = ago(Number(node.dataset.at));
  }, 10000);

  connect();
})();
