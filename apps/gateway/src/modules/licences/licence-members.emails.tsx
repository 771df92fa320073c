import { EmailLayout, emailTemplate } from '../../platform/mail/email-template.tsx';

/** To a person given a place on a licence or storage project: what they now are, and a link to it. */
export interface MemberEmailProps {
  serviceName: string;
  contactEmail: string;
  headline: string;
  paragraphs: string[];
  url: string;
}

export const memberEmail = emailTemplate<MemberEmailProps>({
  name: 'licence-member',
  subject: (props) => props.headline,
  text: (props) =>
    [
      'Hello,',
      '',
      ...props.paragraphs.flatMap((paragraph) => [paragraph, '']),
      `See it: ${props.url}`,
      '',
      `Questions: ${props.contactEmail}`,
      '',
      props.serviceName,
    ].join('\n'),
  html: (props) => (
    <EmailLayout title={props.headline} serviceName={props.serviceName}>
      <h1 style="font-size:1.4rem">{props.headline}</h1>
      {props.paragraphs.map((paragraph) => (
        <p key={paragraph}>{paragraph}</p>
      ))}
      <p>
        <a href={props.url}>See it</a>
      </p>
      <p>
        Questions: <a href={`mailto:${props.contactEmail}`}>{props.contactEmail}</a>
      </p>
    </EmailLayout>
  ),
});
