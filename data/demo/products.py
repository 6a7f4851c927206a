"""The product catalogue: categories, products with their list prices, ids and base popularity."""

from __future__ import annotations

import numpy as np

CATEGORIES = ("护肤 Skincare", "彩妆 Makeup", "香氛 Fragrance", "个护 Personal care", "套装 Gift sets")
_PRODUCTS: tuple[tuple[int, str, float], ...] = (
    (0, "玻尿酸保湿精华 Hyaluronic Hydra Serum 30ml", 199), (0, "光感焕亮VC精华 Radiance Vitamin C Serum 30ml", 269),
    (0, "极光修护面霜 Aurora Repair Cream 50g", 329), (0, "水润保湿面霜 Aqua Moisture Cream 50g", 159),
    (0, "氨基酸洁面乳 Amino Gentle Cleanser 120g", 69), (0, "清透爽肤水 Clear Balancing Toner 200ml", 99),
    (0, "补水面膜5片 Hydrating Sheet Mask x5", 59), (0, "睡眠面膜 Overnight Sleeping Mask 80g", 129),
    (0, "紧致眼霜 Firming Eye Cream 15g", 239), (0, "视黄醇抗老精华 Retinol Renewal Serum 30ml", 359),
    (0, "烟酰胺亮肤精华 Niacinamide Brightening Serum 30ml", 189), (0, "修护精华油 Repair Facial Oil 30ml", 299),
    (0, "轻透防晒乳 Daily Sun Shield SPF50+ 50ml", 139), (0, "清爽防晒喷雾 Sun Mist SPF50 150ml", 89),
    (0, "温和卸妆油 Cleansing Oil 200ml", 119), (0, "卸妆水 Micellar Water 400ml", 79),
    (0, "舒缓精华水 Soothing Essence 150ml", 169), (0, "胶原弹润面霜 Collagen Bounce Cream 50g", 459),
    (0, "至臻黑金精华 Black Gold Prestige Serum 30ml", 899), (0, "至臻黑金面霜 Black Gold Prestige Cream 50g", 799),
    (0, "祛痘精华 Blemish Clear Serum 20ml", 149), (0, "平衡乳液 Balancing Emulsion 120ml", 129),
    (1, "丝绒哑光口红 Velvet Matte Lipstick", 129), (1, "水光唇釉 Glossy Lip Tint", 99),
    (1, "气垫粉底 Cushion Foundation SPF30", 229), (1, "持妆粉底液 Long-wear Foundation 30ml", 259),
    (1, "遮瑕液 Concealer", 119), (1, "控油散粉 Setting Powder", 149), (1, "九色眼影盘 Eyeshadow Palette 9", 189),
    (1, "纤长睫毛膏 Volume Mascara", 99), (1, "防水眼线笔 Waterproof Eyeliner", 69), (1, "自然眉笔 Brow Pencil", 49),
    (1, "柔雾腮红 Soft Blush", 109), (1, "珠光高光 Highlighter", 119), (1, "定妆喷雾 Setting Spray 100ml", 139),
    (1, "妆前乳 Primer 30ml", 159),
    (2, "晨光淡香水 Morning Light EDT 30ml", 299), (2, "晨光淡香水 Morning Light EDT 100ml", 599),
    (2, "夜樱浓香水 Night Sakura EDP 50ml", 529), (2, "白茶香氛 White Tea EDT 50ml", 399),
    (2, "香氛身体乳 Perfumed Body Lotion 250ml", 139), (2, "香氛蜡烛 Scented Candle 200g", 199),
    (2, "车载香薰 Car Diffuser", 89), (2, "香氛小样套装 Fragrance Discovery Set", 159),
    (3, "氨基酸洗发水 Amino Shampoo 500ml", 79), (3, "修护护发素 Repair Conditioner 500ml", 79),
    (3, "深层发膜 Hair Mask 200ml", 99), (3, "香氛沐浴露 Body Wash 500ml", 69),
    (3, "烟酰胺身体乳 Niacinamide Body Lotion 250ml", 109), (3, "护手霜 Hand Cream 50g", 39),
    (3, "润唇膏 Lip Balm", 39), (3, "男士控油洁面 Men's Oil-control Cleanser", 69),
    (3, "男士保湿乳 Men's Moisturiser", 129), (3, "亮白牙膏 Whitening Toothpaste", 49),
    (4, "补水护肤三件套 Hydra Trio Set", 399), (4, "焕亮礼盒 Radiance Gift Box", 599),
    (4, "黑金臻享礼盒 Black Gold Prestige Gift Box", 899), (4, "口红礼盒 Lipstick Gift Box x3", 329),
    (4, "香氛礼盒 Fragrance Gift Box", 499), (4, "新年限定礼盒 New Year Limited Box", 459),
)
_P_CAT = np.array([p[0] for p in _PRODUCTS])
_P_NAME = np.array([p[1] for p in _PRODUCTS], dtype=object)
_P_PRICE = np.array([p[2] for p in _PRODUCTS], dtype=float)
_CAT_PREFIX = ("SK", "MU", "FR", "PC", "GS")
_P_ID = np.array(
    [f"LM-{_CAT_PREFIX[c]}-{i + 1:03d}" for i, c in enumerate(_P_CAT)], dtype=object
)
# base popularity within the category (hero products sell more)
_P_POP = np.ones(len(_PRODUCTS))
_P_POP[[0, 2, 4, 12, 22, 24, 36, 44, 49, 54]] = [4.0, 2.5, 3.0, 2.5, 3.0, 2.2, 2.0, 2.0, 1.8, 2.0]
