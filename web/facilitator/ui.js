// Small DOM helpers for the console: elements built with textContent only, dialogs, messages.
// User text never goes through innerHTML; colours are set through the CSSOM (allowed by the CSP).

import { t, translateDom } from '/static/shared/i18n.js';
import { el, partyChip } from '/static/shared/dom.js';

export { el, partyChip };

export function byId(id) {
  return document.getElementById(id);
}

/**
 * Re-render ``fn`` without losing the keyboard user's place: the focused control is found again
 * by its data-key after the lists were rebuilt.
 */
export function keepingFocus(fn) {
  const active = document.activeElement;
  const key = active?.dataset?.key;
  fn();
  if (key && active && !active.isConnected) {
    const again = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus({ preventScroll: true });
  }
}

/** Replace a select's options, keeping the chosen value when it still exists. */
export function fillSelect(select, options, fallback) {
  const previous = select.value;
  select.replaceChildren(
    ...options.map((o) => el('option', { text: o.label, attrs: { value: o.value, disabled: Boolean(o.disabled) } })),
  );
  if (options.some((o) => o.value === previous)) select.value = previous;
  else if (fallback !== undefined && options.some((o) => o.value === fallback)) {
    select.value = fallback;
  }
}

export function piiMark() {
  return el('span', { class: 'badge badge-pii', i18n: 'pii.mark' });
}

/** A small button. ``key`` makes it findable again after a re-render (see keepingFocus). */
export function button(i18nKey, onClick, opts = {}) {
  const node = el('button', {
    class: opts.class || 'button button--small',
    on: { click: onClick },
    attrs: { type: 'button', disabled: Boolean(opts.disabled) },
    data: { ...(opts.key ? { key: opts.key } : {}), ...(opts.testid ? { testid: opts.testid } : {}) },
  });
  node.textContent = t(i18nKey, opts.params);
  // A visible short label plus a longer accessible name that says which item it acts on.
  if (opts.label) node.setAttribute('aria-label', opts.label);
  return node;
}

// Messages --------------------------------------------------------------------------------------

export function toast(message, kind = 'info') {
  const box = byId('toasts');
  const item = el('p', { class: `toast toast-${kind}`, text: message });
  box.append(item);
  while (box.children.length > 3) box.firstElementChild.remove();
  setTimeout(() => item.remove(), kind === 'error' ? 9000 : 5000);
}

/**
 * Say under a form whether its save worked: a status line in the form (kept until the next
 * save) and a toast. A refused or failed save says so in red; the form keeps what was typed.
 */
export function saveStatus(form, ack, savedKey) {
  let line = form.querySelector(':scope > .form-status');
  if (!line) {
    line = el('p', { class: 'form-status', attrs: { role: 'status' } });
    form.append(line);
  }
  const ok = Boolean(ack?.ok);
  line.dataset.kind = ok ? 'ok' : 'error';
  line.textContent = ok ? t(savedKey) : t('save.failed');
  if (ok) toast(t(savedKey));
}

// Dialogs ---------------------------------------------------------------------------------------

let dialogOpen = false;

/**
 * Show the modal dialog. ``body`` is a list of nodes (form fields), ``actions`` a list of
 * {value, i18n, kind, testid}. Resolves with the chosen value ('' when dismissed with Escape)
 * and the form's element values, read before the dialog closes.
 */
export function openDialog({ title, body = [], actions, read, validate }) {
  const dialog = byId('dialog');
  const form = byId('dialog-form');
  const opener = document.activeElement;
  if (dialogOpen) dialog.close('');
  byId('dialog-title').textContent = title;
  byId('dialog-body').replaceChildren(...body);
  const buttons = actions.map((a) =>
    el('button', {
      class: a.kind === 'primary' ? 'button button--primary' : a.kind === 'danger' ? 'button button--danger' : 'button',
      text: t(a.i18n),
      attrs: { type: 'submit', value: a.value },
      data: a.testid ? { testid: a.testid } : {},
    }),
  );
  byId('dialog-actions').replaceChildren(...buttons);
  translateDom(byId('dialog-body'));
  return new Promise((resolve) => {
    let values = null;
    const onSubmit = (event) => {
      const value = event.submitter?.value ?? '';
      if (value !== 'cancel' && validate) {
        const problem = validate();
        if (problem) {
          event.preventDefault();
          return;
        }
      }
      values = value !== 'cancel' && read ? read() : null;
    };
    const onClose = () => {
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('close', onClose);
      dialogOpen = false;
      const value = dialog.returnValue === 'cancel' ? '' : dialog.returnValue;
      if (opener && opener.isConnected) opener.focus();
      resolve({ value, values });
    };
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('close', onClose);
    dialog.returnValue = '';
    dialogOpen = true;
    dialog.showModal();
    // The first field, or else the first (safe) button: Enter must never confirm a deletion.
    const first = byId('dialog-body').querySelector('input, textarea, select');
    (first || buttons[0])?.focus();
  });
}

/** Yes/no confirmation. Resolves true when ``confirm`` was chosen. */
export async function confirmDialog({ title, lines, confirm, cancel = 'action.cancel', danger, testid }) {
  const { value } = await openDialog({
    title,
    body: lines.map((line) => (line instanceof Node ? line : el('p', { text: line }))),
    actions: [
      { value: 'cancel', i18n: cancel, testid: testid ? `${testid}-cancel` : undefined },
      { value: 'ok', i18n: confirm, kind: danger ? 'danger' : 'primary', testid: testid ? `${testid}-confirm` : undefined },
    ],
  });
  return value === 'ok';
}

/** A labelled field for a dialog; returns {wrap, control}. */
export function field(id, labelKey, control, helpKey) {
  control.id = id;
  const wrap = el('div', { class: 'field' }, el('label', { i18n: labelKey, attrs: { for: id } }), control);
  if (helpKey) {
    const help = el('p', { class: 'help', id: `${id}-help`, i18n: helpKey });
    control.setAttribute('aria-describedby', help.id);
    wrap.append(help);
  }
  return { wrap, control };
}

/** Copy text to the clipboard; tell the user either way. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast(t('share.copied'));
  } catch {
    toast(t('share.copy_failed'), 'error');
  }
}
