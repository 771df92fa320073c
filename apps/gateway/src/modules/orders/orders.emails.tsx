import { type NoticeEmailProps, type NoticeLink, noticeEmail } from '../../platform/mail/notice-email.tsx';

/** Everything that happens to an order: what happened, what it means, and a link to the order. */
export interface OrderEmailProps extends NoticeEmailProps {
  reference: string;
  /** e.g. "Order ORD-000012 received". */
  headline: string;
  orderUrl: string;
  /** What to do next, before the order's link (a completed increase: give the space to a project). */
  links?: NoticeLink[];
}

export const orderEmail = noticeEmail<OrderEmailProps>('order-update', (props) => [
  ...(props.links ?? []),
  { url: props.orderUrl, textLabel: 'See the order', htmlLabel: `See order ${props.reference}` },
]);
