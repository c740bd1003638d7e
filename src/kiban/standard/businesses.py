"""The standard businesses (基幹業務) whose systems were standardized by law (地方公共団体情報システムの標準化に
関する法律, 令和3年法律第40号, 2条1項 and its cabinet order), each with the code Kiban uses for roles and scopes."""

from enum import StrEnum


class Business(StrEnum):
    RESIDENTS = "residents"  # 住民基本台帳
    ELECTORAL_ROLL = "electoral_roll"  # 選挙人名簿管理
    FIXED_ASSET_TAX = "fixed_asset_tax"  # 固定資産税
    RESIDENT_TAX = "resident_tax"  # 個人住民税
    CORPORATE_RESIDENT_TAX = "corporate_resident_tax"  # 法人住民税
    LIGHT_VEHICLE_TAX = "light_vehicle_tax"  # 軽自動車税
    SCHOOL_ENROLMENT = "school_enrolment"  # 就学
    CHILD_ALLOWANCE = "child_allowance"  # 児童手当
    HEALTH_INSURANCE = "health_insurance"  # 国民健康保険
    NATIONAL_PENSION = "national_pension"  # 国民年金
    DISABILITY_WELFARE = "disability_welfare"  # 障害者福祉
    ELDERLY_MEDICAL_CARE = "elderly_medical_care"  # 後期高齢者医療
    CARE_INSURANCE = "care_insurance"  # 介護保険
    PUBLIC_ASSISTANCE = "public_assistance"  # 生活保護
    HEALTH_MANAGEMENT = "health_management"  # 健康管理
    CHILD_SUPPORT_ALLOWANCE = "child_support_allowance"  # 児童扶養手当
    CHILDCARE_SUPPORT = "childcare_support"  # 子ども・子育て支援
    FAMILY_REGISTER = "family_register"  # 戸籍
    FAMILY_REGISTER_SUPPLEMENT = "family_register_supplement"  # 戸籍の附票
    SEAL_REGISTRATION = "seal_registration"  # 印鑑登録
