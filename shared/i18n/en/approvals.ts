/** The approvals domain's words (English): who may see my presence. */
export const APPROVALS = {
  'approvals.heading': 'Approval requests',
  'approvals.waiting': '{count} waiting',
  'approvals.none': 'Nobody is waiting for your approval.',
  'approvals.all': 'All requests',
  'approvals.blockDomain': 'Block everyone from {domain}',
  'approvals.declineAll': 'Decline all {count}',
  'approvals.wants': 'wants to see when you are available.',
  'approvals.accept': 'Accept',
  'approvals.acceptAndAdd': 'Accept and add to contacts',
  'approvals.decline': 'Decline',
  'approvals.block': 'Block',
  'approvals.showMore': 'Show more ({count} more)',
  // The bar above the list: the oldest request, answered in one step.
  'approvals.bar': 'Waiting for your approval',
  'approvals.bar.text': '{name} wants to see your presence{others, plural, =0 {} one { and # other} other { and # others}}.',
  'approvals.bar.acceptAndAdd': 'Accept and add',
  'approvals.bar.review': '{count, plural, one {Review} other {Review all #}}',
  // The browser's own notifications (web mode).
  'notifications.offer': 'This browser window can tell you about new requests even when it is in the background.',
  'notifications.turnOn': 'Turn on notifications',
  'notifications.blocked': "Notifications are blocked for this page in the browser's settings.",
  'notifications.request': 'Approval request',
  'notifications.on': 'On: this browser shows a notification for new requests (not in Do not disturb).',
  'notifications.unsupported': 'This browser cannot show notifications.',
  'approvals.notice':
    '{others, plural, =0 {{name} wants to see your presence.} one {{name} and # other want to see your presence.} other {{name} and # others want to see your presence.}}',
} as const satisfies Record<string, string>;
