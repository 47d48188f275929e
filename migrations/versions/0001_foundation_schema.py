"""Foundation schema: area hierarchy, departments, categories, key sites and
persons (identity kept apart), incidents with H3 cells at resolutions 6-10.

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 15:19:25.529494+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_geospatial_table('area',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=15), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('is_urban', sa.Boolean(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('worker_name', sa.String(length=40), nullable=True),
    sa.Column('worker_phone', sa.String(length=20), nullable=True),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('label_point', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.CheckConstraint("code ~ '^[0-9]{12}([0-9]{3})?$'", name=op.f('ck_area_code_format')),
    sa.CheckConstraint("level IN ('county', 'street', 'community', 'grid')", name=op.f('ck_area_level')),
    sa.ForeignKeyConstraint(['parent_id'], ['area.id'], name=op.f('fk_area_parent_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area')),
    sa.UniqueConstraint('code', name=op.f('uq_area_code'))
    )
    op.create_geospatial_index('ix_area_geom', 'area', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index('ix_area_level_code', 'area', ['level', 'code'], unique=False)
    op.create_index(op.f('ix_area_parent_id'), 'area', ['parent_id'], unique=False)
    op.create_table('department',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_department_area_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department')),
    sa.UniqueConstraint('code', name=op.f('uq_department_code'))
    )
    op.create_index(op.f('ix_department_area_id'), 'department', ['area_id'], unique=False)
    op.create_geospatial_table('key_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('care_level', sa.SmallInteger(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.CheckConstraint("category IN ('elderly_alone', 'disabled', 'left_behind_child', 'mental_disorder', 'community_correction', 'drug_rehab', 'petitioner', 'low_income')", name=op.f('ck_key_person_category')),
    sa.ForeignKeyConstraint(['grid_id'], ['area.id'], name=op.f('fk_key_person_grid_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_person'))
    )
    op.create_index(op.f('ix_key_person_category'), 'key_person', ['category'], unique=False)
    op.create_geospatial_index('ix_key_person_geom', 'key_person', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_key_person_grid_id'), 'key_person', ['grid_id'], unique=False)
    op.create_geospatial_table('key_site',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('site_type', sa.String(length=20), nullable=False),
    sa.Column('risk_grade', sa.SmallInteger(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.CheckConstraint("site_type IN ('school', 'kindergarten', 'market', 'construction', 'gas_station', 'hazchem', 'elderly_care', 'rental_housing', 'hospital', 'entertainment')", name=op.f('ck_key_site_site_type')),
    sa.CheckConstraint('risk_grade BETWEEN 1 AND 4', name=op.f('ck_key_site_risk_grade')),
    sa.ForeignKeyConstraint(['grid_id'], ['area.id'], name=op.f('fk_key_site_grid_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_site'))
    )
    op.create_geospatial_index('ix_key_site_geom', 'key_site', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_key_site_grid_id'), 'key_site', ['grid_id'], unique=False)
    op.create_index(op.f('ix_key_site_site_type'), 'key_site', ['site_type'], unique=False)
    op.create_table('incident_category',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('parent_code', sa.String(length=40), nullable=True),
    sa.Column('name_zh', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('color', sa.String(length=9), nullable=False),
    sa.Column('default_priority', sa.SmallInteger(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('sort_order', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_incident_category_department_id_department')),
    sa.ForeignKeyConstraint(['parent_code'], ['incident_category.code'], name=op.f('fk_incident_category_parent_code_incident_category')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_incident_category'))
    )
    op.create_table('key_person_identity',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=40), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['key_person.id'], name=op.f('fk_key_person_identity_person_id_key_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_key_person_identity'))
    )
    op.create_geospatial_table('incident',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('category_code', sa.String(length=40), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('priority', sa.SmallInteger(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('h3_6', sa.BigInteger(), nullable=False),
    sa.Column('h3_7', sa.BigInteger(), nullable=False),
    sa.Column('h3_8', sa.BigInteger(), nullable=False),
    sa.Column('h3_9', sa.BigInteger(), nullable=False),
    sa.Column('h3_10', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("source IN ('grid', 'hotline_12345', 'police_110', 'iot', 'public')", name=op.f('ck_incident_source')),
    sa.CheckConstraint("status IN ('registered', 'verified', 'rejected', 'dispatched', 'accepted', 'in_progress', 'resolved', 'closed', 'evaluated', 'suspended', 'merged')", name=op.f('ck_incident_status')),
    sa.CheckConstraint('priority BETWEEN 1 AND 4', name=op.f('ck_incident_priority')),
    sa.ForeignKeyConstraint(['category_code'], ['incident_category.code'], name=op.f('fk_incident_category_code_incident_category')),
    sa.ForeignKeyConstraint(['grid_id'], ['area.id'], name=op.f('fk_incident_grid_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_incident_source_external_id'))
    )
    op.create_index(op.f('ix_incident_category_code'), 'incident', ['category_code'], unique=False)
    op.create_geospatial_index('ix_incident_geom', 'incident', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index('ix_incident_grid_occurred', 'incident', ['grid_id', 'occurred_at'], unique=False)
    op.create_index('ix_incident_h3_10', 'incident', ['h3_10', 'occurred_at'], unique=False)
    op.create_index('ix_incident_h3_6', 'incident', ['h3_6', 'occurred_at'], unique=False)
    op.create_index('ix_incident_h3_7', 'incident', ['h3_7', 'occurred_at'], unique=False)
    op.create_index('ix_incident_h3_8', 'incident', ['h3_8', 'occurred_at'], unique=False)
    op.create_index('ix_incident_h3_9', 'incident', ['h3_9', 'occurred_at'], unique=False)
    op.create_index('ix_incident_occurred_at', 'incident', ['occurred_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_incident_occurred_at', table_name='incident')
    op.drop_index('ix_incident_h3_9', table_name='incident')
    op.drop_index('ix_incident_h3_8', table_name='incident')
    op.drop_index('ix_incident_h3_7', table_name='incident')
    op.drop_index('ix_incident_h3_6', table_name='incident')
    op.drop_index('ix_incident_h3_10', table_name='incident')
    op.drop_index('ix_incident_grid_occurred', table_name='incident')
    op.drop_geospatial_index('ix_incident_geom', table_name='incident', postgresql_using='gist', column_name='geom')
    op.drop_index(op.f('ix_incident_category_code'), table_name='incident')
    op.drop_geospatial_table('incident')
    op.drop_table('key_person_identity')
    op.drop_table('incident_category')
    op.drop_index(op.f('ix_key_site_site_type'), table_name='key_site')
    op.drop_index(op.f('ix_key_site_grid_id'), table_name='key_site')
    op.drop_geospatial_index('ix_key_site_geom', table_name='key_site', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('key_site')
    op.drop_index(op.f('ix_key_person_grid_id'), table_name='key_person')
    op.drop_geospatial_index('ix_key_person_geom', table_name='key_person', postgresql_using='gist', column_name='geom')
    op.drop_index(op.f('ix_key_person_category'), table_name='key_person')
    op.drop_geospatial_table('key_person')
    op.drop_index(op.f('ix_department_area_id'), table_name='department')
    op.drop_table('department')
    op.drop_index(op.f('ix_area_parent_id'), table_name='area')
    op.drop_index('ix_area_level_code', table_name='area')
    op.drop_geospatial_index('ix_area_geom', table_name='area', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('area')
