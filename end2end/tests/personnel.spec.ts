import { test, expect, devices } from '@playwright/test';
import { hydrated, idNumber, loggedIn, PASSWORD } from './helpers';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The demo's kindergarten (教育局, filing 1) has an area at 120.558–120.560 E,
// 27.668–27.6695 N. 张伟 (xmjl_zhang) joins its roster as 安全员 and is then
// replaced: the successor checks in from a phone, 张伟 is told why he cannot.
const inside = { latitude: 27.6688, longitude: 120.559, accuracy: 12 };

function pdf() {
  const dir = mkdtempSync(join(tmpdir(), 'bhly-'));
  const file = join(dir, '同意更换.pdf');
  writeFileSync(file, '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  return file;
}

test('an owner replaces a key person; the successor checks in from a phone, the one replaced cannot', async ({ page, browser }) => {
  test.skip(test.info().project.name === 'phone', 'one replacement of one person; the phone part is inside');
  await loggedIn(page, 'jiaoyu');
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const added = await page.request.post('/api/filings/add_member', {
    form: {
      filing_id: '1', role: 'safety_officer', name: '张伟', id_number: idNumber('33032619850505321'),
      mobile: '13867780001', cert_no: '', reason: '增设专职安全员',
    },
  });
  expect(added.status()).toBeLessThan(400);

  await page.goto('/personnel/new?filing_id=1');
  await hydrated(page, 'PersonnelNewPage');
  await page.getByLabel('被更换人员').selectOption({ label: `安全员 张伟（${today} 起）` });
  await page.getByLabel('姓名').fill('周磊');
  await page.getByLabel('身份证号').fill(idNumber('33032619900707321'));
  await page.getByLabel('手机号').fill('13867780077');
  await page.getByLabel('变更原因').selectOption({ label: '人员调动' });
  // A day after today is refused at the field.
  await page.getByLabel('生效日期').fill('2099-01-01');
  await page.getByLabel('信用扣分').fill('1');
  await page.getByRole('checkbox', { name: '约谈' }).check();
  await page.getByRole('button', { name: '保存草稿' }).click();
  await expect(page.locator('#f-effective_on-err')).toContainText('晚于今天');
  await page.getByLabel('生效日期').fill(today);
  await page.getByRole('button', { name: '保存草稿' }).click();
  await expect(page).toHaveURL(/\/personnel\/\d+\?done=saved/);
  await hydrated(page, 'PersonnelChangePage');
  await page.locator('#files input[name=file]').setInputFiles(pdf());
  await page.locator('#files').getByRole('button', { name: '上传' }).click();
  await expect(page).toHaveURL(/done=uploaded/);
  await hydrated(page, 'PersonnelChangePage');
  await page.getByRole('button', { name: '提交变更' }).click();
  const done = page.getByRole('status').filter({ hasText: '名单已更新' });
  // No password is shown to the owner: a one-time activation code.
  await expect(done).toContainText('激活码');
  await expect(done).not.toContainText('初始密码');
  const code = (await done.textContent())!.match(/激活码 ([A-Z0-9]{4}-[A-Z0-9]{4})/)![1];
  await expect(page.locator('.summary')).toContainText('约谈');

  // The successor, on a phone inside the area.
  const phone = await browser.newContext({
    ...devices['Pixel 7'], viewport: { width: 360, height: 740 },
    permissions: ['geolocation'], geolocation: inside, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
  });
  const p = await phone.newPage();
  // The successor activates the login with the code and a password of
  // their own, and is logged in.
  await p.goto('/activate');
  await hydrated(p);
  await p.locator('#f-mobile').fill('13867780077');
  await p.locator('#f-code').fill(code.toLowerCase());
  await p.locator('#f-new').fill('Zhou#Lei2026a');
  await p.locator('#f-confirm').fill('Zhou#Lei2026b');
  await p.getByRole('button', { name: '激活并登录' }).click();
  await expect(p.locator('#f-confirm-err')).toContainText('不一致');
  await p.locator('#f-new').fill('Zhou#Lei2026a');
  await p.locator('#f-confirm').fill('Zhou#Lei2026a');
  await p.getByRole('button', { name: '激活并登录' }).click();
  await expect(p).toHaveURL(/\/$/);
  await p.goto('/checkin');
  await hydrated(p, 'CheckinPage');
  const card = p.locator('.checkin-card', { hasText: '平阳县城西幼儿园新建工程' });
  await card.getByRole('button', { name: '打卡' }).click();
  await expect(card.locator('.checkin-msg')).toContainText('打卡成功');
  await expect(p.locator('.my-record').first()).toContainText('本月到岗');
  expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await phone.close();

  // 张伟 has no roster to check in to, and is told why.
  const old = await browser.newContext({ permissions: ['geolocation'], geolocation: inside, locale: 'zh-CN' });
  const o = await old.newPage();
  await o.goto('/login');
  await hydrated(o);
  await o.getByLabel('用户名或手机号').fill('xmjl_zhang');
  await o.getByLabel('密码').fill(PASSWORD);
  await o.getByRole('button', { name: '登 录' }).click();
  await expect(o).toHaveURL(/\/$/);
  await o.goto('/checkin');
  await hydrated(o, 'CheckinPage');
  await expect(o.locator('.checkin-card', { hasText: '平阳县城西幼儿园新建工程' })).toHaveCount(0);
  await expect(o.locator('.my-record')).toContainText('已不在本项目名单');
  await expect(o.locator('.my-record')).toContainText('周磊');
  await old.close();
});
