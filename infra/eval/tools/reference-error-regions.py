#!/usr/bin/python3
"""Where a run's reference-view error lies (docs/reference-view-diagnosis.md, part 2). Debian python3-numpy and python3-pil.
usage: reference-error-regions.py RUN_DIR [INPHOTO_MASK.png]
RUN_DIR holds the run's evaluation/reference-comparison.png (target | render | diff, 512 px) and its stage files
preprocess/0/mask.png, preprocess/0/landmarks.json and shape-prior/0/mask-00.png (any depth below RUN_DIR).
INPHOTO_MASK: optional crop-sized PNG, white where the crop shows the photo (not the replicated border)."""
import sys, glob, json
from PIL import Image
import numpy as np
d = sys.argv[1]
cmp_ = np.asarray(Image.open(glob.glob(d + '/**/reference-comparison.png', recursive=True)[0]).convert('RGB')).astype(float)
n = cmp_.shape[0]
t, r = cmp_[:, :n], cmp_[:, n:2 * n]
se = ((t - r) ** 2).mean(axis=2)
mse = se.mean()
print(f"PSNR {10*np.log10(255**2/mse):.2f} dB (from the comparison png)")
mask = np.asarray(Image.open(glob.glob(d + '/**/preprocess/0/mask.png', recursive=True)[0]).convert('L').resize((n, n), Image.BILINEAR)).astype(float) / 255
sil_f = glob.glob(d + '/**/shape-prior/0/mask-00.png', recursive=True)
sil = np.asarray(Image.open(sil_f[0]).convert('L').resize((n, n), Image.BILINEAR)).astype(float) / 255 if sil_f else None
lm = json.load(open(glob.glob(d + '/**/preprocess/0/landmarks.json', recursive=True)[0]))
pts = np.array(lm['Points'] if 'Points' in lm else lm['points'], dtype=float)
H = lm.get('Height', lm.get('height'))
cut = min(pts[8, 1], pts[57, 1]) * n / H
rows = np.arange(n)[:, None] * np.ones((1, n))
above = rows + 0.5 <= cut
white_t = (t.min(axis=2) >= 250)
regions = {
  'matte solid (a=1), above cut': (mask >= 0.98) & above,
  'matte soft band (0<a<1), above cut': (mask > 0.02) & (mask < 0.98) & above,
  'matte background (a=0), above cut': (mask <= 0.02) & above,
  'below cut (torso rule)': ~above,
}
if sil is not None:
    regions['above cut, outside head silhouette (<0.5)'] = above & (sil < 0.5)
    regions['above cut, target not white & outside silhouette'] = above & (sil < 0.5) & ~white_t
if len(sys.argv) > 2:
    inph = np.asarray(Image.open(sys.argv[2]).convert('L').resize((n, n), Image.NEAREST)) > 0
    regions['outside the photo (crop border)'] = ~inph
    regions['above cut, outside photo, render not white'] = above & ~inph & (r.min(axis=2) < 250)
    regions['above cut, within 8 px of the photo edge'] = above & (np.asarray(Image.open(sys.argv[2]).convert('L').resize((n, n), Image.NEAREST).filter(__import__('PIL.ImageFilter', fromlist=['x']).MinFilter(17))) == 0) & inph
for k, m in regions.items():
    share = se[m].sum() / se.sum() * 100
    print(f"{k:50s} {m.mean()*100:5.1f}% of pixels  {share:5.1f}% of squared error  RMS {np.sqrt(se[m].mean()) if m.any() else 0:5.1f}")
# PSNR if a region were perfect
for k, m in regions.items():
    e = se.copy(); e[m] = 0
    print(f"  PSNR if '{k}' had no error: {10*np.log10(255**2/e.mean()):.2f}")
# error by rows bands of 64
print('squared error share per 64-row band:', [round(se[i:i+64].sum()/se.sum()*100,1) for i in range(0, n, 64)])
print('squared error share per 64-col band:', [round(se[:, i:i+64].sum()/se.sum()*100,1) for i in range(0, n, 64)])
