// Sharing: the join code (large), its QR code, and the links for participants, the wall and a
// co-facilitator, each with a copy button.

import { t } from '/static/shared/i18n.js';
import { rulesAccepted } from './method.js';
import { byId, button, copyText, el } from './ui.js';

let wired = false;

export function setup(ctx) {
  byId('copy-code').addEventListener('click', () => {
    if (ctx.share.join_code) copyText(ctx.share.join_code);
  });
}

export function render(ctx) {
  // During the introduction this tab is open: how many phones accepted the ground rules.
  byId('share-rules-accepted').textContent = rulesAccepted(ctx);
  const share = { ...(ctx.share || {}) };
  const code = share.join_code || '';
  // Spaced in two halves so it is easy to read aloud: "ACD EFG".
  byId('share-code').textContent = code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
  const qr = byId('share-qr');
  if (code && qr.dataset.code !== code) {
    qr.dataset.code = code;
    qr.src = `/api/join/${encodeURIComponent(code)}/qr.svg`;
  }
  qr.alt = t('share.qr_alt', { url: share.join_url || '' });
  if (wired && byId('share-links').dataset.lang === document.documentElement.lang) return;
  wired = true;
  byId('share-links').dataset.lang = document.documentElement.lang;
  // The facilitator's own link is not stored on the server (only its hash is): the console
  // knows it because it holds the token, and shows it so it can be kept somewhere safe.
  if (ctx.token) share.own_url = `${location.origin}/facilitator#${ctx.token}`;
  const rows = [
    ['own_url', 'share.own_link', 'share.own_help'],
    ['join_url', 'share.join_link', 'share.join_help'],
    ['wall_url', 'share.wall_link', 'share.wall_help'],
    ['cofacilitator_url', 'share.cofacilitator_link', 'share.cofacilitator_help'],
  ];
  const nodes = [];
  for (const [key, labelKey, helpKey] of rows) {
    const url = share[key];
    if (!url) continue;
    const id = `share-${key}`;
    nodes.push(
      el('dt', { text: t(labelKey), attrs: { id: `${id}-label` } }),
      el(
        'dd',
        {},
        el('p', { class: 'help', text: t(helpKey) }),
        el(
          'div',
          { class: 'copy-row' },
          el('input', {
            class: 'link-field',
            attrs: { id, type: 'text', readonly: true, value: url, 'aria-labelledby': `${id}-label` },
            data: { testid: id },
          }),
          button('share.copy', () => copyText(url), {
            label: t('share.copy_label', { what: t(labelKey) }),
            testid: `copy-${key}`,
            class: 'button',
          }),
        ),
      ),
    );
  }
  byId('share-links').replaceChildren(...nodes);
}
