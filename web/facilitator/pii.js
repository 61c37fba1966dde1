// The guard against personal data: warn before sending text that looks like it, and let the
// facilitator rephrase or send anyway. The checker lives in a shared module owned elsewhere; if it
// is missing the guard stays quiet (the server still marks such items).

import { hasKey, t } from '/static/shared/i18n.js';
import { confirmDialog, el } from './ui.js';

let finder = null;
const loading = import('/static/shared/personal_data.js')
  .then((mod) => {
    finder = mod.findPersonalData;
  })
  .catch(() => {
    finder = () => [];
  });

function kindLabel(kind) {
  return t(hasKey(`pii.kind.${kind}`) ? `pii.kind.${kind}` : 'pii.kind.other');
}

/**
 * True when ``texts`` may be sent: nothing looks like personal data, or the facilitator chose
 * "toch versturen". False means: go back and rephrase (the typed text stays where it was).
 */
export async function maySend(...texts) {
  await loading;
  const kinds = [];
  for (const text of texts) {
    for (const kind of finder(String(text || '')) || []) if (!kinds.includes(kind)) kinds.push(kind);
  }
  if (!kinds.length) return true;
  return confirmDialog({
    title: t('pii.title'),
    lines: [
      t('pii.text', { kinds: [...new Set(kinds.map(kindLabel))].join(', ') }),
      el('p', { class: 'help', text: t('pii.facilitator_note') }),
    ],
    confirm: 'pii.send_anyway',
    cancel: 'pii.edit',
    testid: 'pii',
  });
}
