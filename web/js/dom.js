/*
 * dom.js - builds DOM nodes without innerHTML, so no text from the server
 * or the traveller's document can ever become markup.
 */

/*
 * h('button', {class: 'primary', onclick: fn}, 'text', child...)
 * Attributes: `class`, `text`, on<event> handlers, boolean true/false, and
 * DOM properties for non-string values (checked, value).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/* Appends nodes, strings and (nested) arrays of them, skipping null and false. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/* A <dl class="facts"> from [label, value] pairs; empty values are left out. */
export function facts(pairs) {
  return h('dl', { class: 'facts' },
    pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([label, value, attrs]) => h('div', attrs || {}, h('dt', {}, label), h('dd', {}, value))));
}
