// Customer-friendly status wording and the filters of "My requests".
import { h } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';

export const FILTERS = {
  open: ['new', 'open', 'pending', 'on_hold'],
  solved: ['solved', 'closed'],
  all: [],
};

/** A status pill in the customer's words ("Awaiting your reply" rather than "Pending"). */
export function requestStatus(status) {
  return h(`span.pt-status.pt-status-${status}`, { dataset: { status } },
    h('span.pt-status-dot', { 'aria-hidden': 'true' }), t(`portal.status_${status}`));
}
