// Admin › Automations: time-based rules, run hourly over the workspace's tickets (the triggers page, for automations).
import { rulesPage } from './triggers.js';

export function render() { return rulesPage('automation'); }
