import { EmailLayout, emailTemplate } from '../../platform/mail/email-template.tsx';

/**
 * One email shape for everything that happens to an order: what happened, what it means, and a
 * link to the order. The text and HTML parts say the same thing.
 */
export interface OrderEmailProps {
  serviceName: string;
  reference: string;
  /** e.g. "Order ORD-000012 received". */
  headline: string;
  paragraphs: string[];
  orderUrl: string;
  contactEmail: string;
}

export const orderEmail = emailTemplate<OrderEmailProps>({
  name: 'order-update',
  subject: (props) => props.headline,
  text: (props) =>
    [
      'Hello,',
      '',
      ...props.paragraphs.flatMap((paragraph) => [paragraph, '']),
      `See the order: ${props.orderUrl}`,
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
        <a href={props.orderUrl}>See order {props.reference}</a>
      </p>
      <p>
        Questions: <a href={`mailto:${props.contactEmail}`}>{props.contactEmail}</a>
      </p>
    </EmailLayout>
  ),
});
