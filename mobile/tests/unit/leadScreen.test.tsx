import { act, fireEvent, render, screen } from '@testing-library/react-native';
import { useLocalSearchParams } from 'expo-router';

import { LeadScreen } from '../../app/lead/[id]';
import { ApiError } from '../../src/api/client';
import { mailtoUrl, telUrl } from '../../src/leads/links';
import { makeFakeApi, makeServices, Providers } from './helpers';

jest.mock('expo-router', () => ({ ...jest.requireActual('expo-router'), useLocalSearchParams: jest.fn() }));
const params = useLocalSearchParams as jest.Mock;

function renderLead(id: string, services = makeServices()) {
  params.mockReturnValue({ id });
  render(
    <Providers services={services}>
      <LeadScreen />
    </Providers>,
  );
  return services;
}

describe('lead screen', () => {
  it('shows the lead whole: contact, company, open tasks by due date, fields, notes', async () => {
    const services = renderLead('7');
    expect(await screen.findByText('Угода 7')).toBeTruthy();
    expect(services.api.getLead).toHaveBeenCalledWith(7);
    expect(screen.getByTestId('lead-detail-price')).toHaveTextContent('7\u00a0000\u00a0USD');
    expect(screen.getByText('Богдан Петренко')).toBeTruthy();
    expect(screen.getByText('основний')).toBeTruthy();
    expect(screen.getByText('Інвестор')).toBeTruthy();
    expect(screen.getByTestId('lead-company')).toHaveTextContent('ТОВ «Київбуд»');
    expect(screen.getByTestId('task-114')).toHaveTextContent(/Узгодити час показу.*Прострочено/);
    expect(screen.getByTestId('task-115')).toHaveTextContent(/Нагадати про документи.*До /);
    expect(screen.getByTestId('field-2200300')).toHaveTextContent('РайонПодільський');
    expect(screen.getByTestId('field-2200310')).toHaveTextContent('Іпотекатак');
    expect(screen.getByTestId('note-84')).toHaveTextContent(/Примітка.*Клієнт просить знижку 5%/);
  });

  it('tap a phone to call, an e-mail to write, the button to open amoCRM', async () => {
    const services = renderLead('7');
    fireEvent.press(await screen.findByTestId('call-44-0'));
    expect(services.openExternal).toHaveBeenLastCalledWith('tel:+380668687722');
    fireEvent.press(screen.getByTestId('call-44-1'));
    expect(services.openExternal).toHaveBeenLastCalledWith('tel:+380441234567');
    expect(screen.getByTestId('call-44-0').props.accessibilityLabel).toBe('Зателефонувати Богдан Петренко: +380668687722');
    fireEvent.press(screen.getByTestId('write-44-0'));
    expect(services.openExternal).toHaveBeenLastCalledWith('mailto:bohdan.petrenko@meta.ua');
    fireEvent.press(screen.getByTestId('lead-open-amo'));
    expect(services.openExternal).toHaveBeenLastCalledWith('https://reforyou.amocrm.ru/leads/detail/7');
  });

  it("someone else's lead or none: the glossary's sentence and a retry", async () => {
    const getLead = jest.fn().mockRejectedValue(new ApiError(404, 'LEAD_NOT_FOUND', 'No such lead in your amoCRM mirror.'));
    renderLead('99', makeServices({ api: makeFakeApi({ getLead }) }));
    expect(await screen.findByTestId('lead-error')).toHaveTextContent(
      'Не вдалося завантажити угоду. Такої угоди немає у вашому дзеркалі amoCRM.',
    );
    await act(async () => fireEvent.press(screen.getByTestId('lead-retry')));
    expect(getLead).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('lead-error')).toBeTruthy();
  });

  it('a malformed id asks nothing', async () => {
    const services = renderLead('abc');
    expect(await screen.findByTestId('lead-error')).toBeTruthy();
    expect(services.api.getLead).not.toHaveBeenCalled();
  });
});

describe('tel: and mailto: links', () => {
  it('keep only what the scheme needs', () => {
    expect(telUrl('+38 (044) 123-45-67')).toBe('tel:+380441234567');
    expect(telUrl('javascript:alert(1)//123')).toBe('tel:1123');
    expect(telUrl('—')).toBeNull();
    expect(mailtoUrl('a.b@ukr.net')).toBe('mailto:a.b@ukr.net');
    expect(mailtoUrl('a b@ukr.net')).toBeNull();
    expect(mailtoUrl('x@y?subject=hi')).toBe('mailto:x@y%3Fsubject%3Dhi');
  });
});
