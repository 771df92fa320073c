import { type NoticeEmailProps, noticeEmail } from '../../platform/mail/notice-email.tsx';

/**
 * One email shape for the nightly jobs: a headline, what is happening, one line per licence with
 * a link to its page, then what to do.
 */
export interface LifecycleEmailProps extends NoticeEmailProps {
  greeting: string;
  licences: { line: string; url: string }[];
  closing: string[];
}

const lifecycleEmail = (name: string) =>
  noticeEmail<LifecycleEmailProps>(
    name,
    (props) =>
      props.licences.map((licence) => ({ url: licence.url, textLabel: licence.line, htmlLabel: licence.line })),
    { list: true },
  );

export const licenceReminderEmail = lifecycleEmail('licence-reminder');
export const licenceSuspendedEmail = lifecycleEmail('licence-suspended');
export const licenceColdEmail = lifecycleEmail('licence-cold');
export const licenceDeletableEmail = lifecycleEmail('licence-deletable');
export const licenceDeletedEmail = lifecycleEmail('licence-deleted');
export const waitingOrdersDigestEmail = lifecycleEmail('waiting-orders-digest');
export const financeCodeClosedEmail = lifecycleEmail('finance-code-closed');
export const financeCodeReplacedEmail = lifecycleEmail('finance-code-replaced');
export const memberLeftEmail = lifecycleEmail('member-left');
export const nearQuotaEmail = lifecycleEmail('near-quota');
