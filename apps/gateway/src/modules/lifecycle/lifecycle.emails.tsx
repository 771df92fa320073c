import { EmailLayout, type EmailTemplate, emailTemplate } from '../../platform/mail/email-template.tsx';

/**
 * One email shape for the nightly job: a headline, what is happening, one line per licence with
 * a link to its page, then what to do. The text and HTML parts say the same thing.
 */
export interface LifecycleEmailProps {
  serviceName: string;
  contactEmail: string;
  headline: string;
  greeting: string;
  paragraphs: string[];
  licences: { line: string; url: string }[];
  closing: string[];
}

function lifecycleEmail(name: string): EmailTemplate<LifecycleEmailProps> {
  return emailTemplate<LifecycleEmailProps>({
    name,
    subject: (props) => props.headline,
    text: (props) =>
      [
        props.greeting,
        '',
        ...props.paragraphs.flatMap((paragraph) => [paragraph, '']),
        ...props.licences.map((licence) => `- ${licence.line}: ${licence.url}`),
        '',
        ...props.closing.flatMap((paragraph) => [paragraph, '']),
        `Questions: ${props.contactEmail}`,
        '',
        props.serviceName,
      ].join('\n'),
    html: (props) => (
      <EmailLayout title={props.headline} serviceName={props.serviceName}>
        <h1 style="font-size:1.4rem">{props.headline}</h1>
        <p>{props.greeting}</p>
        {props.paragraphs.map((paragraph) => (
          <p key={paragraph}>{paragraph}</p>
        ))}
        <ul>
          {props.licences.map((licence) => (
            <li key={licence.url}>
              <a href={licence.url}>{licence.line}</a>
            </li>
          ))}
        </ul>
        {props.closing.map((paragraph) => (
          <p key={paragraph}>{paragraph}</p>
        ))}
        <p>
          Questions: <a href={`mailto:${props.contactEmail}`}>{props.contactEmail}</a>
        </p>
      </EmailLayout>
    ),
  });
}

export const licenceReminderEmail = lifecycleEmail('licence-reminder');
export const licenceSuspendedEmail = lifecycleEmail('licence-suspended');
export const licenceColdEmail = lifecycleEmail('licence-cold');
export const licenceDeletableEmail = lifecycleEmail('licence-deletable');
export const waitingOrdersDigestEmail = lifecycleEmail('waiting-orders-digest');
export const financeCodeClosedEmail = lifecycleEmail('finance-code-closed');
export const memberLeftEmail = lifecycleEmail('member-left');
export const nearQuotaEmail = lifecycleEmail('near-quota');
export const storageStepsEmail = lifecycleEmail('storage-steps');
