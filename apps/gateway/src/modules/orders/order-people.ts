/**
 * Who an order's emails reach, as one rule for the emails themselves (orders.service.ts
 * emailOrderPeople) and for what the staff are told after a decision: the buyer and the licence's
 * Data Owner, each once, leaving out whoever has left the University, as the lifecycle's emails do.
 */

/** One of the two people an order's emails are for; `current`: still a member of the University. */
export interface OrderPerson {
  id: number;
  email: string;
  current: boolean;
}

export interface OrderPeople<Person extends OrderPerson = OrderPerson> {
  buyer: Person;
  licence: { owner: Person };
}

/** The people an order's emails go to: the buyer and the Data Owner who are still current, each once. */
export function orderPeopleToTell<Person extends OrderPerson>(order: OrderPeople<Person>): Person[] {
  const { buyer, licence } = order;
  const people = buyer.id === licence.owner.id ? [buyer] : [buyer, licence.owner];
  return people.filter((person) => person.current);
}

/**
 * What the staff read after an order's email: who was `told` ("told by email", "told why by
 * email"), and who could not be because they have left the University (nobody, when both have).
 */
export function whoWasTold(order: OrderPeople, told: string): string {
  const { buyer, licence } = order;
  if (buyer.id === licence.owner.id) {
    return buyer.current
      ? `The buyer, who is also the Data Owner, has been ${told}.`
      : `Nobody could be ${told}: the buyer, who is also the Data Owner, has left the University.`;
  }
  const owner = licence.owner;
  if (buyer.current && owner.current) return `The buyer and the Data Owner have been ${told}.`;
  if (buyer.current) return `The buyer has been ${told}; the Data Owner has left the University, so was not.`;
  if (owner.current) return `The Data Owner has been ${told}; the buyer has left the University, so was not.`;
  return `Nobody could be ${told}: the buyer and the Data Owner have both left the University.`;
}
